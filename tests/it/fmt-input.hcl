variable "a" {
    type = "string"
  default="x"
}
variable b { type = map }
variable "c" {
type = "map"
}
locals {
  single = { a = 1, b = 2 }
  x = { for k,v in var.m : k=>v if v!=null }
  y   =   -1 + (2*3) - -4
  neg = var.x == -1 ? -var.y : !var.z
  tpl = "Hello, %{ if var.name != "" }${ var.name }%{ else }world%{ endif }!"
  s = local.a[*].b
  fs = local.a.*.b
  idx = local.list[ 0 ]["key"]
  wrapped = "${
    var.a
  }"
  w2 = "${var.a}${var.b}"
  obj = {
    "quoted key" = 1
    long_name_here: 2
    (local.k) = 3
  }
  nested = { a = { b = { c = [1,2,
    3] } } }
  fn = merge(local.a,
    local.b,
  )
  cond = (
    var.a
    ? 1
    : 2
  )
  arith = 10 % 3 * 2 / 1 + 5
  cmp = 1 <= 2 && 3 >= 2 || 4 < 5 && 6 > 5
  heredoc = <<EOT
  keep   this
     ${ var.x }
EOT
  after_heredoc = 1
}

resource "aws_instance" "web" { ami = "x" }
resource aws_vpc main {
  cidr_block = "10.0.0.0/16"  # main cidr
  enable_dns = true       # dns
  tags = merge(var.tags, { Name = "main" })


  lifecycle {
    ignore_changes = [ tags["x"], ami ]
  }
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port = ingress.value.from
      to_port = ingress.value.to
    }
  }
}
/* block
   comment */
output "o" {
  value = { for i, v in var.list : i => v... }
  sensitive = true
}
