# A VPC over N availability zones in the shape kops builds: a public
# ("utility") and a private subnet per zone, an internet gateway, NAT per zone
# (or one), route tables, and the subnet tags Kubernetes load balancers use.

data "aws_availability_zones" "available" {
  count = length(var.availability_zones) == 0 ? 1 : 0
  state = "available"
}

locals {
  zones = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available[0].names, 0, var.zone_count)

  cluster_tag = { "kubernetes.io/cluster/${var.cluster_name}" = "owned" }
  tags        = merge(var.tags, { KubernetesCluster = var.cluster_name }, local.cluster_tag)

  # Private subnets take the first blocks of the VPC; utility subnets the
  # smaller blocks starting right after the sixth private one, so adding zones
  # later never moves an existing subnet.
  utility_offset = 6 * pow(2, var.utility_subnet_newbits - var.private_subnet_newbits)
  private_cidrs  = [for i, z in local.zones : cidrsubnet(var.cidr_block, var.private_subnet_newbits, i)]
  utility_cidrs  = [for i, z in local.zones : cidrsubnet(var.cidr_block, var.utility_subnet_newbits, local.utility_offset + i)]

  nat_count = var.single_nat_gateway ? 1 : length(local.zones)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = merge(local.tags, { Name = var.cluster_name })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = var.cluster_name })
}

resource "aws_subnet" "utility" {
  count = length(local.zones)

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.zones[count.index]
  cidr_block              = local.utility_cidrs[count.index]
  map_public_ip_on_launch = true
  tags = merge(local.tags, {
    Name                     = "utility-${local.zones[count.index]}.${var.cluster_name}"
    SubnetType               = "Utility"
    "kubernetes.io/role/elb" = "1"
  })
}

resource "aws_subnet" "private" {
  count = length(local.zones)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.zones[count.index]
  cidr_block        = local.private_cidrs[count.index]
  tags = merge(local.tags, {
    Name                              = "${local.zones[count.index]}.${var.cluster_name}"
    SubnetType                        = "Private"
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${local.zones[count.index]}.${var.cluster_name}" })
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.utility[count.index].id
  tags          = merge(local.tags, { Name = "${local.zones[count.index]}.${var.cluster_name}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = var.cluster_name, "kubernetes.io/kops/role" = "public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "utility" {
  count = length(local.zones)

  subnet_id      = aws_subnet.utility[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  count = length(local.zones)

  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "private-${local.zones[count.index]}.${var.cluster_name}", "kubernetes.io/kops/role" = "private-${local.zones[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = length(local.zones)

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = length(local.zones)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}
