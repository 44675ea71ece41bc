# The cluster's system add-ons, which the cluster needs before anything else
# runs on it: the pod network (flannel, over the module's pod_cidr), the AWS
# cloud controller manager, the EBS CSI driver with a default gp3
# StorageClass, and the kubelet serving-certificate approver. They are YAML
# documents in the state bucket under addons/, which every control-plane node
# applies (server-side, idempotent) once its API server runs
# (templates/control-plane.sh.tftpl), as kops's channels do: the cluster
# bootstraps itself without plinth reaching its API, and add-ons applied by
# plinth later (modules/monitoring, ...) find a network and storage.

locals {
  addon_vars = {
    cluster_name   = var.cluster_name
    region         = data.aws_region.current.name
    pod_cidr       = var.pod_cidr
    vpc_cidr_block = var.vpc_cidr_block
    images         = local.addon_images
    # EC2 private DNS names: ip-10-0-1-2.ec2.internal in us-east-1,
    # ip-10-0-1-2.<region>.compute.internal elsewhere.
    csr_name_regex = "^ip-[0-9-]+\\.(ec2\\.internal|${replace(data.aws_region.current.name, "-", "\\-")}\\.compute\\.internal)$"
  }

  addons = {
    for f in sort(fileset("${path.module}/templates/addons", "*.yaml.tftpl")) :
    trimsuffix(f, ".tftpl") => templatefile("${path.module}/templates/addons/${f}", local.addon_vars)
  }
}

resource "aws_s3_object" "addons" {
  for_each = local.addons

  bucket                 = aws_s3_bucket.state.id
  key                    = "addons/${each.key}"
  content                = each.value
  content_type           = "application/yaml"
  server_side_encryption = "AES256"

  depends_on = [aws_s3_bucket_versioning.state, aws_s3_bucket_public_access_block.state]
}
