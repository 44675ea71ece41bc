# The Kubernetes API behind a network load balancer on 443, its target group
# attached to the three control-plane autoscaling groups (nodes.tf).

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
