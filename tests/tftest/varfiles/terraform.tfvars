a = "root"
b = "root"
c = "root"
