"""CPython unpickling error message -> sparkwire status (SPEC #pickle.errors).

Shared by tools/gen_pickle_errors.py and tools/vecgen_codes.py: a message
containing the fragment maps to the status; the first match wins.
"""

PICKLE_STATUS = [
    ('pickle data was truncated', 'truncated_payload'),
    ('unsupported pickle protocol', 'bad_proto'),
    ('invalid load key', 'bad_opcode'),
    ('unpickling stack underflow', 'bad_stack'),
    ('unexpected MARK found', 'bad_stack'),
    ('could not find MARK', 'bad_mark'),
    ('Memo value not found', 'bad_memo'),
    ('negative byte count', 'bad_length'),
    ('STACK_GLOBAL requires str', 'bad_stack'),
    ('must be quoted', 'bad_value'),
    ('EXT specifies code <= 0', 'bad_value'),
    ('unregistered extension code', 'unsupported_ext'),
    ('persistent_load', 'unsupported_persid'),
    ('out-of-band data', 'unsupported_buffer'),
    ('NEWOBJ expected an arg tuple', 'bad_stack'),
    ('NEWOBJ args argument must be a tuple', 'bad_stack'),
    ('NEWOBJ_EX args', 'bad_stack'),
    ('NEWOBJ_EX kwargs', 'bad_stack'),
    ('unhashable type', 'unhashable'),
    ('has no attribute', 'type'),
    ('codec can\'t decode', 'bad_utf8'),
    ('could not convert string to float', 'bad_value'),
    ('invalid literal for int', 'bad_value'),
    ('could not convert string to int', 'bad_value'),
    ('Exceeds the limit', 'limit_int_digits'),
    ('memoryview', 'type'),
    ('exceeds system', 'bad_length'),
    ('read would overflow', 'bad_length'),
]
