# Instance groups: one launch template each (encrypted gp3 root volume,
# IMDSv2 only, user data that bootstraps the node), three control-plane
# autoscaling groups (one per zone, min = max = 1) each with its zone's etcd
# volume, and worker autoscaling groups across the private subnets with the
# Cluster Autoscaler's auto-discovery tags.

locals {
  # What every node's user data starts with (templates/common.sh.tftpl):
  # packages, containerd, the ECR credential provider.
  common_vars = {
    kubernetes_version         = var.kubernetes_version
    kube_minor                 = local.kube_minor
    cloud_provider_aws_version = local.release.cloud_provider_aws
  }

  bootstrap_common = {
    cluster_name       = var.cluster_name
    kubernetes_version = var.kubernetes_version
    kube_minor         = local.kube_minor
    api_host           = local.api_host
    region             = data.aws_region.current.name
    state_bucket       = aws_s3_bucket.state.id
    bootstrap_token    = local.bootstrap_token
    pod_cidr           = var.pod_cidr
    service_cidr       = var.service_cidr
  }

  # Labels the kubelet sets on its node. node-role.kubernetes.io/control-plane
  # is not one of them (the kubelet refuses it): kubeadm's mark-control-plane
  # phase sets it, and the control-plane taint, from the control plane.
  control_plane_labels = {
    "node.kubernetes.io/exclude-from-external-load-balancers" = ""
  }

  root_device_name = data.aws_ami.node.root_device_name

  # The Cluster Autoscaler finds worker groups by these tags; node-template
  # tags tell it what a node of an empty group would look like.
  worker_tags = { for name, g in var.worker_groups : name => merge(
    local.tags,
    {
      Name                                                                              = "${name}.${var.cluster_name}"
      "k8s.io/role/node"                                                                = "1"
      "kops.k8s.io/instancegroup"                                                       = name
      "k8s.io/cluster-autoscaler/enabled"                                               = "true"
      "k8s.io/cluster-autoscaler/${var.cluster_name}"                                   = "owned"
      "k8s.io/cluster-autoscaler/node-template/label/node.kubernetes.io/instance-group" = name
    },
    { for k, v in g.labels : "k8s.io/cluster-autoscaler/node-template/label/${k}" => v },
    { for k, v in g.taints : "k8s.io/cluster-autoscaler/node-template/taint/${k}" => v },
  ) }

  control_plane_tags = { for z in local.control_plane_zones : z => merge(local.tags, {
    Name                        = "control-plane-${z}.${var.cluster_name}"
    "k8s.io/role/control-plane" = "1"
    "kops.k8s.io/instancegroup" = "control-plane-${z}"
  }) }
}

# --- etcd volumes -----------------------------------------------------------------

resource "aws_ebs_volume" "etcd" {
  for_each = local.control_plane

  availability_zone = each.key
  size              = var.etcd_volume_size
  type              = "gp3"
  encrypted         = true
  tags = merge(local.tags, {
    Name                        = "${each.key}.etcd-main.${var.cluster_name}"
    "k8s.io/etcd/main"          = "${each.key}/${join(",", local.control_plane_zones)}"
    "k8s.io/role/control-plane" = "1"
  })
}

# --- control plane ----------------------------------------------------------------

resource "aws_launch_template" "control_plane" {
  for_each = local.control_plane

  name                   = "control-plane-${each.key}.${var.cluster_name}"
  image_id               = data.aws_ami.node.id
  instance_type          = var.control_plane_instance_type
  key_name               = var.ssh_key_name
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.control_plane.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.control_plane.name
  }

  block_device_mappings {
    device_name = local.root_device_name
    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # Hop limit 2: the pods that hold AWS credentials through the control-plane
  # role (EBS CSI controller, Cluster Autoscaler) reach the metadata service
  # from their own network namespace. Workers keep 1: their pods get none.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "disabled"
  }

  user_data = base64encode(templatefile("${path.module}/templates/control-plane.sh.tftpl", merge(local.bootstrap_common, {
    common         = templatefile("${path.module}/templates/common.sh.tftpl", merge(local.common_vars, { packages = ["kubelet", "kubeadm", "kubectl"] }))
    zone           = each.key
    first_zone     = local.control_plane_zones[0]
    etcd_volume_id = aws_ebs_volume.etcd[each.key].id
    node_labels    = join(",", [for k, v in local.control_plane_labels : "${k}=${v}"])
  })))

  tag_specifications {
    resource_type = "instance"
    tags          = local.control_plane_tags[each.key]
  }

  tag_specifications {
    resource_type = "volume"
    tags          = local.control_plane_tags[each.key]
  }

  tags = local.control_plane_tags[each.key]
}

resource "aws_autoscaling_group" "control_plane" {
  for_each = local.control_plane

  name                = "control-plane-${each.key}.${var.cluster_name}"
  min_size            = 1
  max_size            = 1
  desired_capacity    = 1
  vpc_zone_identifier = [each.value]
  target_group_arns   = [aws_lb_target_group.api.arn]
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.control_plane[each.key].id
    version = aws_launch_template.control_plane[each.key].latest_version
  }

  dynamic "tag" {
    for_each = local.control_plane_tags[each.key]
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  # The etcd volume must exist before a node tries to attach it, the PKI and
  # the system add-ons before it reads them.
  depends_on = [aws_ebs_volume.etcd, aws_s3_object.pki, aws_s3_object.addons]
}

# --- workers ----------------------------------------------------------------------

resource "aws_launch_template" "workers" {
  for_each = var.worker_groups

  name                   = "${each.key}.${var.cluster_name}"
  image_id               = data.aws_ami.node.id
  instance_type          = each.value.instance_type
  key_name               = var.ssh_key_name
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.nodes.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.nodes.name
  }

  block_device_mappings {
    device_name = local.root_device_name
    ebs {
      volume_size           = each.value.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  user_data = base64encode(templatefile("${path.module}/templates/node.sh.tftpl", merge(local.bootstrap_common, {
    common      = templatefile("${path.module}/templates/common.sh.tftpl", merge(local.common_vars, { packages = ["kubelet", "kubeadm"] }))
    node_labels = join(",", [for k, v in merge({ "node.kubernetes.io/instance-group" = each.key }, each.value.labels) : "${k}=${v}"])
    node_taints = each.value.taints
  })))

  tag_specifications {
    resource_type = "instance"
    tags          = local.worker_tags[each.key]
  }

  tag_specifications {
    resource_type = "volume"
    tags          = local.worker_tags[each.key]
  }

  tags = local.worker_tags[each.key]
}

resource "aws_autoscaling_group" "workers" {
  for_each = var.worker_groups

  name                = "${each.key}.${var.cluster_name}"
  min_size            = each.value.min_size
  max_size            = each.value.max_size
  desired_capacity    = each.value.desired_capacity != null ? each.value.desired_capacity : each.value.min_size
  vpc_zone_identifier = [for z in sort(keys(var.private_subnets)) : var.private_subnets[z]]
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.workers[each.key].id
    version = aws_launch_template.workers[each.key].latest_version
  }

  dynamic "tag" {
    for_each = local.worker_tags[each.key]
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  # The Cluster Autoscaler owns the size between min and max.
  lifecycle {
    ignore_changes = [desired_capacity]
  }

  depends_on = [aws_autoscaling_group.control_plane]
}
