"""The governing body's approval of a policy version, signed in the portal: the chair
of governors signs first (the approval PDF is made and signed, PAdES, with an empty
field left for the headteacher); the headteacher then countersigns into that field as
an incremental update, so the chair's signature still validates. One document, two
signatures, each recorded with who and when (ApprovalSignature)."""
