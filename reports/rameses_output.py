"""The RAMESES report (reports.rameses) written out as Markdown and as a Word document.

Both walk the same structure the browser page renders, so the three never
disagree; quotes always name the authors as their source.
"""

import io


def to_markdown(report):
    lines = [f"# {report.title}", ""]
    if report.subtitle:
        lines += [f"_{report.subtitle}_", ""]
    if report.standard:
        lines += [report.layout_note, ""]
    for section in report.sections:
        _markdown_section(section, 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_section(section, level, lines):
    item = f" (RAMESES item {section.rameses_item})" if section.rameses_item else ""
    lines += [f"{'#' * min(level, 6)} {section.heading}{item}", ""]
    for block in section.blocks:
        if block.kind in ("paragraph", "placeholder", "more"):
            lines += [f"_{block.text}_" if block.kind == "placeholder" else block.text, ""]
        elif block.kind == "quote":
            lines += [f"> {block.text}", ">", f"> — {_cite(block)}", ""]
        elif block.kind == "list":
            lines += [*(f"- {item}" for item in block.items), ""]
        elif block.kind == "table":
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
    for subsection in section.subsections:
        _markdown_section(subsection, level + 1, lines)


def _cite(block):
    """Whose words a quote is, and where: quotes are always the authors', never ichub's."""
    return f"the authors' words, {block.cite}" if block.cite else "the authors' words"


def _cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_docx(report):
    from docx import Document  # imported here: python-docx is only needed for this download

    document = Document()
    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph().add_run(report.subtitle).italic = True
    if report.standard:
        document.add_paragraph(report.layout_note)
    for section in report.sections:
        _docx_section(document, section, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_section(document, section, level):
    item = f" (RAMESES item {section.rameses_item})" if section.rameses_item else ""
    document.add_heading(section.heading + item, level=min(level, 9))
    for block in section.blocks:
        if block.kind in ("paragraph", "more"):
            document.add_paragraph(block.text)
        elif block.kind == "placeholder":
            document.add_paragraph().add_run(block.text).italic = True
        elif block.kind == "quote":
            document.add_paragraph(block.text, style="Quote")
            document.add_paragraph().add_run(f"— {_cite(block)}").italic = True
        elif block.kind == "list":
            for entry in block.items:
                document.add_paragraph(entry, style="List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, heading in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = str(heading)
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = str(value)
    for subsection in section.subsections:
        _docx_section(document, subsection, level + 1)
