b = "auto"
c = "auto"
n = 2
