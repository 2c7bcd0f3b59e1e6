"""Reference files as real tools write them, built in code so the tests need no network."""

# EndNote X9 export: Windows line endings and a BOM are added by the tests.
ENDNOTE_RIS = """TY  - JOUR
AU  - Embuldeniya, Gayathri
AU  - Kirst, Maritt
AU  - Walker, Kevin
AU  - Wodchis, Walter P.
PY  - 2018
DA  - 2018///
TI  - The Generation of Integration: The Early Experience of Implementing Bundled Care
      in Ontario, Canada
T2  - The Milbank Quarterly
VL  - 96
IS  - 4
SP  - 782
EP  - 813
DO  - 10.1111/1468-0009.12357
N1  - doi: 10.1111/1468-0009.12357
KW  - integrated care
KW  - bundled care
M3  - doi: 10.1111/1468-0009.12357
ER  -

TY  - RPRT
AU  - Social Care Institute for Excellence,
PY  - 2018
TI  - Leadership in integrated care systems
PB  - SCIE
CY  - London
UR  - https://www.scie.org.uk/integrated-care/leadership/systems
ER  -
"""

# Zotero 6 export: URL-form DOI in UR, repeated UR, an unknown tag, no DO line.
ZOTERO_RIS = """TY  - JOUR
TI  - Leadership for integrated care: a case study
AU  - Pearson, Clare
AU  - Watson, Nicholas
T2  - Journal of Integrated Care
DA  - 2018/03/01/
PY  - 2018
SP  - 20
EP  - 31
VL  - 26
IS  - 1
UR  - https://doi.org/10.1108/JICA-07-2017-0021
UR  - https://www.emerald.com/insight/content/doi/10.1108/JICA-07-2017-0021/full/html
Y2  - 2024/01/10/
ZZ  - a tag nobody defined
L1  - internal-pdf://0123/Pearson.pdf
ER  -

TY  - JOUR
TI  - A study without a DOI about system leadership
AU  - Nobody, Ann
PY  - 2020
JO  - Health Services Management Research
ER  -
"""

# Web of Science RIS export: T1/A1/JF tags and an uppercase DOI.
WOS_RIS = """TY  - JOUR
A1  - Aunger, Justin A.
A1  - Millar, Ross
A1  - Greenhalgh, Joanne
T1  - When trust, confidence, and faith collide: refining a realist theory of how and why
      inter-organisational collaborations in healthcare work
JF  - BMC Health Services Research
Y1  - 2022
VL  - 22
SP  - 602
DO  - 10.1186/S12913-022-07960-3
ER  -
"""

WOS_TAGGED = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Aunger, JA
AF Aunger, Justin A.
   Millar, Ross
TI Why do some inter-organisational collaborations in healthcare work
   when others do not?
SO BMC HEALTH SERVICES RESEARCH
PY 2021
VL 21
BP 1
EP 22
DI 10.1186/s12913-021-06098-y
ER

EF
"""

BIBTEX = r"""% Exported from Mendeley
@string{jic = "Journal of Integrated Care"}

@article{Muller2019,
  author    = {M{\"u}ller, J{\"o}rg and {NHS England} and O'Brien, Se{\'a}n},
  title     = {{ICS} leadership and the {\'e}tude of {C}are:
               a realist review},
  journal   = jic,
  year      = {2019},
  volume    = {27},
  number    = {2},
  pages     = {101--118},
  doi       = {https://doi.org/10.1108/JICA-01-2019-0001},
}

@book{kings2021,
  author = {Charles, Anna},
  title = "Integrated care systems explained",
  publisher = {The King's Fund},
  year = 2021,
}
"""

NBIB = """PMID- 29411111
OWN - NLM
STAT- MEDLINE
DP  - 2018 Mar
TI  - Integrated care pioneers: a realist evaluation of system leadership in
      England.
PG  - 45-53
LID - 10.1136/bmjopen-2017-012345 [doi]
AB  - Background: integrated care needs leaders who work across organisations.
      Methods: realist evaluation.
FAU - Smith, Jane
AU  - Smith J
FAU - Brown, Ahmed
AU  - Brown A
JT  - BMJ open
TA  - BMJ Open
VI  - 8
IP  - 3
AID - bmjopen-2017-012345 [pii]
AID - 10.1136/bmjopen-2017-012345 [doi]
MH  - Leadership

PMID- 30000001
DP  - 2019 Jan 5
TI  - Distributed leadership in primary care networks.
FAU - Smith, Jane
JT  - British journal of general practice
"""


def ris_record(index, *, doi=None, year=2000):
    lines = ["TY  - JOUR", f"AU  - Author{index}, A.", f"TI  - Generated study number {index}"]
    lines += [f"PY  - {year}", "T2  - Journal of Tests"]
    if doi:
        lines.append(f"DO  - {doi}")
    return "\n".join([*lines, "ER  - ", ""])


def bibtex_entries(count):
    return "\n".join(
        f"@article{{key{i},\n  author = {{Surname{i}, Given and Other, A.}},\n"
        f"  title = {{A generated study of integrated care number {i}}},\n"
        f"  journal = {{Journal of Tests}},\n  year = {{{2000 + i % 20}}},\n"
        f"  doi = {{10.5555/test.{i}}},\n}}\n"
        for i in range(count)
    )
