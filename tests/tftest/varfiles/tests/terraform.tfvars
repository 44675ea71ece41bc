c = "testdir"
d = "testdir"
