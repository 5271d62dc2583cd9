"""Mock interviews: the session plan (:mod:`~lossdrill.interview.plan`) and the interviewer's
rubric (:mod:`~lossdrill.interview.rubric`), both plain data. The terminal view is
:mod:`lossdrill.ui.interview_view`; the session runs in :mod:`~lossdrill.interview.session`,
which prints nothing (``lossdrill interview`` renders it).
"""
