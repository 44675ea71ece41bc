# The Kubernetes API behind a network load balancer on 443, its target group
# attached to the three control-plane autoscaling groups (nodes.tf). Client
# addresses are not preserved: the control plane admits the load balancer's
# security group, which admits api_allowed_cidrs, the VPC (nodes reaching an
# internal load balancer) and node_egress_cidrs (nodes reaching a public one
# through NAT).

resource "aws_lb" "api" {
  name                             = "api-${var.cluster_name}"
  load_balancer_type               = "network"
  internal                         = var.api_internal
  subnets                          = var.api_subnet_ids
  security_groups                  = [aws_security_group.api_lb.id]
  enable_cross_zone_load_balancing = true
  tags                             = merge(local.tags, { Name = "api.${var.cluster_name}" })
}

resource "aws_lb_target_group" "api" {
  name        = "tcp-${var.cluster_name}"
  port        = 443
  protocol    = "TCP"
  target_type = "instance"
  vpc_id      = var.vpc_id

  # With client addresses preserved, a control-plane node whose connection
  # through an internal load balancer lands on itself drops it (hairpin),
  # and every client's address would have to be admitted on the nodes. The
  # load balancer's own security group filters clients instead
  # (security.tf).
  preserve_client_ip = "false"

  health_check {
    protocol            = "TCP"
    port                = "443"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = merge(local.tags, { Name = "tcp-${var.cluster_name}" })
}

resource "aws_lb_listener" "api" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }

  tags = local.tags
}
