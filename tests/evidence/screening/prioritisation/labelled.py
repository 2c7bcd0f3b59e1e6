"""A small labelled set built in code: relevant records share a topic the others lack."""

import csv
import io

RELEVANT_WORDS = ["leadership", "integrated care", "trust", "system leaders", "partnership"]
OTHER_WORDS = ["soil", "rainfall", "wheat yield", "irrigation", "harvest", "fertiliser"]


def rows(n=60, relevant_every=6):
    """n records; every `relevant_every`-th is relevant, placed late in file order."""
    out = []
    for i in range(n):
        relevant = i % relevant_every == relevant_every - 1
        words = RELEVANT_WORDS if relevant else OTHER_WORDS
        topic = " ".join(words[(i + k) % len(words)] for k in range(3))
        out.append({
            "record_id": i + 1,
            "title": f"Study {i} of {topic}",
            "abstract": f"We examine {topic} in setting {i % 7}. "
                        f"Findings on {words[i % len(words)]}.",
            "label_included": int(relevant),
        })
    return out


def csv_text(records, columns=("record_id", "title", "abstract", "label_included")):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def relevant(sources):
    return [s for s in sources if s.relevant]


def irrelevant(sources):
    return [s for s in sources if not s.relevant]
