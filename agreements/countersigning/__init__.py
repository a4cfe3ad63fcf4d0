"""Two signatures on one signed PDF: a pupil's, countersigned by a parent or carer; a
borrower's loan receipt, countersigned by the member of staff handing over.

The first signature's PDF is signed (PAdES) with an empty signature field for the
second (`open_fields_for`); the countersignature fills that field as an incremental
update, so the first signature still validates and one file carries both."""
