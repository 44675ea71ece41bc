# IAM roles, instance profiles and inline policies for control-plane nodes and
# workers, as kops grants them: EC2/ELB access for the cloud controller on the
# control plane, ECR pull for everyone, the state bucket's PKI and add-ons,
# the etcd volumes, the EBS CSI controller, and the Cluster Autoscaler (which
# is scheduled on the control plane, modules/autoscaling) restricted to this
# cluster's tagged groups.

locals {
  ec2_assume_role = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  ecr_pull_statements = [
    {
      Sid      = "ECRAuth"
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = "*"
    },
    {
      Sid    = "ECRPull"
      Effect = "Allow"
      Action = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeRepositories",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy",
        "ecr:ListImages",
      ]
      Resource = var.ecr_repository_arns
    },
  ]
}

resource "aws_iam_role" "control_plane" {
  name               = "control-plane.${var.cluster_name}"
  assume_role_policy = local.ec2_assume_role
  tags               = local.tags
}

resource "aws_iam_role" "nodes" {
  name               = "nodes.${var.cluster_name}"
  assume_role_policy = local.ec2_assume_role
  tags               = local.tags
}

resource "aws_iam_instance_profile" "control_plane" {
  name = "control-plane.${var.cluster_name}"
  role = aws_iam_role.control_plane.name
  tags = local.tags
}

resource "aws_iam_instance_profile" "nodes" {
  name = "nodes.${var.cluster_name}"
  role = aws_iam_role.nodes.name
  tags = local.tags
}

resource "aws_iam_role_policy" "control_plane" {
  name = "control-plane.${var.cluster_name}"
  role = aws_iam_role.control_plane.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.ecr_pull_statements, [
      {
        Sid    = "Describe"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeTags",
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceTopology",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeRegions",
          "ec2:DescribeRouteTables",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVolumes",
          "ec2:DescribeVpcs",
          "elasticloadbalancing:Describe*",
        ]
        Resource = "*"
      },
      {
        Sid      = "EtcdVolumes"
        Effect   = "Allow"
        Action   = ["ec2:AttachVolume", "ec2:DetachVolume"]
        Resource = "*"
        Condition = {
          StringEquals = { "aws:ResourceTag/KubernetesCluster" = var.cluster_name }
        }
      },
      # The cloud controller creates load balancers, their target groups,
      # listeners and security groups for LoadBalancer Services, tagging them
      # kubernetes.io/cluster/<name>; it may change and delete only what
      # carries that tag.
      {
        Sid    = "CloudControllerCreate"
        Effect = "Allow"
        Action = [
          "ec2:CreateSecurityGroup",
          "ec2:CreateTags",
          "elasticloadbalancing:AddTags",
          "elasticloadbalancing:CreateListener",
          "elasticloadbalancing:CreateLoadBalancer",
          "elasticloadbalancing:CreateTargetGroup",
        ]
        Resource = "*"
      },
      {
        Sid    = "CloudControllerManage"
        Effect = "Allow"
        Action = [
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:DeleteSecurityGroup",
          "ec2:ModifyInstanceAttribute",
          "ec2:RevokeSecurityGroupIngress",
          "elasticloadbalancing:*",
        ]
        Resource = "*"
        Condition = {
          StringEquals = { "aws:ResourceTag/kubernetes.io/cluster/${var.cluster_name}" = "owned" }
        }
      },
      {
        Sid    = "CloudControllerTargets"
        Effect = "Allow"
        Action = [
          "elasticloadbalancing:RegisterTargets",
          "elasticloadbalancing:DeregisterTargets",
          "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:ModifyTargetGroupAttributes",
          "elasticloadbalancing:ModifyLoadBalancerAttributes",
          "elasticloadbalancing:ModifyListener",
          "elasticloadbalancing:SetSecurityGroups",
        ]
        Resource = "*"
      },
      {
        Sid      = "StateBucketList"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucket"]
        Resource = aws_s3_bucket.state.arn
      },
      {
        Sid      = "StateBucketRead"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.state.arn}/*"
      },
    ])
  })
}

# The EBS CSI driver's controller (on the control plane): volumes it creates
# are tagged ebs.csi.aws.com/cluster = true (and with the cluster's tag); it
# may attach, modify and delete only those, as AWS's managed
# AmazonEBSCSIDriverPolicy allows.
resource "aws_iam_role_policy" "ebs_csi" {
  name = "ebs-csi.${var.cluster_name}"
  role = aws_iam_role.control_plane.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "EBSDescribe"
        Effect = "Allow"
        Action = [
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeInstances",
          "ec2:DescribeSnapshots",
          "ec2:DescribeTags",
          "ec2:DescribeVolumes",
          "ec2:DescribeVolumesModifications",
        ]
        Resource = "*"
      },
      {
        Sid      = "EBSCreate"
        Effect   = "Allow"
        Action   = ["ec2:CreateVolume", "ec2:CreateSnapshot"]
        Resource = "*"
        Condition = {
          StringLike = { "aws:RequestTag/ebs.csi.aws.com/cluster" = "true" }
        }
      },
      {
        Sid      = "EBSTagOnCreate"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"]
        Condition = {
          StringEquals = { "ec2:CreateAction" = ["CreateVolume", "CreateSnapshot"] }
        }
      },
      {
        Sid      = "EBSAttach"
        Effect   = "Allow"
        Action   = ["ec2:AttachVolume", "ec2:DetachVolume"]
        Resource = "arn:aws:ec2:*:*:instance/*"
      },
      {
        Sid      = "EBSManage"
        Effect   = "Allow"
        Action   = ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:ModifyVolume", "ec2:DeleteVolume", "ec2:DeleteSnapshot"]
        Resource = ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"]
        Condition = {
          StringLike = { "ec2:ResourceTag/ebs.csi.aws.com/cluster" = "true" }
        }
      },
    ]
  })
}

# The Cluster Autoscaler's permissions: describe anything, but change only the
# groups tagged for auto-discovery in this cluster.
resource "aws_iam_role_policy" "cluster_autoscaler" {
  name = "cluster-autoscaler.${var.cluster_name}"
  role = aws_iam_role.control_plane.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ClusterAutoscalerDescribe"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ]
        Resource = "*"
      },
      {
        Sid    = "ClusterAutoscalerScale"
        Effect = "Allow"
        Action = [
          "autoscaling:SetDesiredCapacity",
          "autoscaling:TerminateInstanceInAutoScalingGroup",
        ]
        Resource = "*"
        Condition = {
          StringEquals = {
            "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}" = "owned"
            "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled"             = "true"
          }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy" "nodes" {
  name = "nodes.${var.cluster_name}"
  role = aws_iam_role.nodes.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.ecr_pull_statements, [
      {
        Sid      = "Describe"
        Effect   = "Allow"
        Action   = ["ec2:DescribeInstances", "ec2:DescribeRegions"]
        Resource = "*"
      },
      {
        Sid      = "ClusterCA"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.state.arn}/pki/ca.crt"
      },
    ])
  })
}
