"""Evidence files: upload, content check, storage outside the database, download."""
