# Security groups and rules, as kops makes them: all traffic between nodes of
# the same kind and from the control plane to workers; workers to the control
# plane on everything except etcd (2379-2381 and 4001); the API (443) through
# the load balancer (api.tf); SSH from the allowed ranges.

resource "aws_security_group" "control_plane" {
  name        = "control-plane.${var.cluster_name}"
  description = "Security group for control-plane nodes"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "control-plane.${var.cluster_name}" })
}

resource "aws_security_group" "nodes" {
  name        = "nodes.${var.cluster_name}"
  description = "Security group for worker nodes"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "nodes.${var.cluster_name}" })
}

resource "aws_security_group" "api_lb" {
  name        = "api-elb.${var.cluster_name}"
  description = "Security group for the API load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "api-elb.${var.cluster_name}" })
}

locals {
  # Worker -> control plane: every port but etcd's client and peer ports
  # (2379-2381) and etcd-manager's 4001, as protocol/from/to.
  node_to_control_plane = {
    "tcp-1-2378"     = { ip_protocol = "tcp", from_port = 1, to_port = 2378 }
    "tcp-2382-4000"  = { ip_protocol = "tcp", from_port = 2382, to_port = 4000 }
    "tcp-4002-65535" = { ip_protocol = "tcp", from_port = 4002, to_port = 65535 }
    "udp-1-65535"    = { ip_protocol = "udp", from_port = 1, to_port = 65535 }
    "ipip"           = { ip_protocol = "4", from_port = null, to_port = null }
  }

  ssh_rules = merge(
    { for c in var.ssh_allowed_cidrs : "control-plane ${c}" => { security_group_id = aws_security_group.control_plane.id, cidr = c } },
    { for c in var.ssh_allowed_cidrs : "nodes ${c}" => { security_group_id = aws_security_group.nodes.id, cidr = c } },
  )
}

resource "aws_vpc_security_group_ingress_rule" "control_plane_from_control_plane" {
  security_group_id            = aws_security_group.control_plane.id
  referenced_security_group_id = aws_security_group.control_plane.id
  ip_protocol                  = "-1"
  description                  = "all traffic between control-plane nodes"
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_nodes" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.nodes.id
  ip_protocol                  = "-1"
  description                  = "all traffic between workers"
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_control_plane" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.control_plane.id
  ip_protocol                  = "-1"
  description                  = "all traffic from the control plane"
}

resource "aws_vpc_security_group_ingress_rule" "control_plane_from_nodes" {
  for_each = local.node_to_control_plane

  security_group_id            = aws_security_group.control_plane.id
  referenced_security_group_id = aws_security_group.nodes.id
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  description                  = "workers to control plane (${each.key}), etcd ports closed"
}

resource "aws_vpc_security_group_ingress_rule" "control_plane_from_api_lb" {
  security_group_id            = aws_security_group.control_plane.id
  referenced_security_group_id = aws_security_group.api_lb.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "API from the load balancer"
}

# Client addresses are not preserved (api.tf): the control plane sees the
# load balancer's addresses, admitted by its security group above and, for
# health checks, by the VPC's range.
resource "aws_vpc_security_group_ingress_rule" "control_plane_api" {
  security_group_id = aws_security_group.control_plane.id
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "Kubernetes API from the VPC"
}

# Who may reach the load balancer: the allowed ranges, the VPC (nodes, on an
# internal load balancer) and the nodes' NAT addresses (on a public one,
# nodes arrive from those), whatever api_allowed_cidrs says.
locals {
  api_lb_sources = distinct(concat(var.api_allowed_cidrs, [var.vpc_cidr_block]))
}

resource "aws_vpc_security_group_ingress_rule" "api_lb" {
  for_each = toset(local.api_lb_sources)

  security_group_id = aws_security_group.api_lb.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "Kubernetes API"
}

# NAT addresses are known only once the gateways exist: counted, not keyed.
resource "aws_vpc_security_group_ingress_rule" "api_lb_nodes" {
  count = var.api_internal ? 0 : length(var.node_egress_cidrs)

  security_group_id = aws_security_group.api_lb.id
  cidr_ipv4         = var.node_egress_cidrs[count.index]
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "Kubernetes API from the nodes (NAT)"
}

resource "aws_vpc_security_group_egress_rule" "api_lb" {
  security_group_id            = aws_security_group.api_lb.id
  referenced_security_group_id = aws_security_group.control_plane.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "to the API servers"
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each = local.ssh_rules

  security_group_id = each.value.security_group_id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  description       = "SSH"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  for_each = {
    control-plane = aws_security_group.control_plane.id
    nodes         = aws_security_group.nodes.id
  }

  security_group_id = each.value
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "all outbound traffic"
}
