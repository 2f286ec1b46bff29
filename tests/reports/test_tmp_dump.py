import io
from docx import Document
def test_dump(client, login_as, demo):
    login_as("viewer")
    d = Document(io.BytesIO(client.get("/quarters/2023-Q1/report.docx").data))
    open("/tmp/q1.txt", "w").write("\n".join(p.text for p in d.paragraphs))
