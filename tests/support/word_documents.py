"""Press releases as Word writes them (python-docx), for the Word import's tests
(tests/test_word_import.py, tests/production/test_releases.py)."""

import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image as PILImage


def png(colour="navy", size=(64, 32)):
    stream = io.BytesIO()
    PILImage.new("RGB", size, colour).save(stream, "PNG")
    return stream.getvalue()


def saved(document):
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def add_link(paragraph, text, url):
    """A hyperlink run, as Word writes one (python-docx has no call for it)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def add_picture(document, alt_text=None, colour="navy"):
    run = document.add_paragraph().add_run()
    shape = run.add_picture(io.BytesIO(png(colour)))
    # Word's "Alt Text" is the drawing's description; python-docx leaves it out.
    if alt_text is not None:
        shape._inline.docPr.set("descr", alt_text)


def add_table(document, rows, header=True):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for tr, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(tr.cells, values, strict=True):
            cell.text = value
    if header:
        # Word's "Repeat as header row at the top of each page": the row is a header.
        properties = table.rows[0]._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:tblHeader"))
    return table


def press_release():
    """A release as the press office writes one, in Word's styles."""
    document = docx.Document()
    document.add_paragraph("Press release", style="Normal")
    document.add_paragraph("Fostering in Southwark rated outstanding", style="Title")
    document.add_paragraph("Wednesday 14 June 2017")
    document.add_paragraph(
        "Southwark Council's services for children and families are good, Ofsted says."
    )
    paragraph = document.add_paragraph("Inspectors found the work ")
    paragraph.add_run("strong").bold = True
    paragraph.add_run(" and ")
    paragraph.add_run("consistent").italic = True
    paragraph.add_run(". Read ")
    add_link(paragraph, "the report", "https://reports.ofsted.gov.uk/")
    paragraph.add_run(".")
    document.add_heading("What inspectors found", level=1)
    document.add_paragraph("Adoption services were outstanding.")
    document.add_paragraph("Children are listened to", style="List Bullet")
    document.add_paragraph("Plans are reviewed on time", style="List Bullet")
    document.add_heading("Next steps", level=2)
    document.add_paragraph("Recruit more foster carers", style="List Number")
    document.add_paragraph("Open two family hubs", style="List Number")
    document.add_paragraph("We are proud of our staff.", style="Quote")
    document.add_paragraph(
        "– Cllr Jasmine Ali, Cabinet Member for Children and Schools", style="Quote"
    )
    add_table(document, [["Service", "Rating"], ["Adoption", "Outstanding"], ["Overall", "Good"]])
    add_picture(document, alt_text="Foster carers with the Ofsted report")
    document.add_paragraph("Foster carers at the launch", style="Caption")
    document.add_paragraph("ENDS")
    document.add_heading("Notes to editors", level=2)
    document.add_paragraph("Ofsted inspected the services in May 2017.")
    document.add_paragraph("Media enquiries: press office, 020 7525 7305")
    return saved(document)
