output "vpc_id" {
  description = "The VPC's ID."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "The VPC's IPv4 range."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "The zones used, in order."
  value       = local.zones
}

output "utility_subnet_ids" {
  description = "Public (utility) subnet IDs, in zone order."
  value       = aws_subnet.utility[*].id
}

output "private_subnet_ids" {
  description = "Private subnet IDs, in zone order."
  value       = aws_subnet.private[*].id
}

output "private_subnets_by_zone" {
  description = "Private subnet IDs by availability zone."
  value       = zipmap(local.zones, aws_subnet.private[*].id)
}

output "utility_subnets_by_zone" {
  description = "Public (utility) subnet IDs by availability zone."
  value       = zipmap(local.zones, aws_subnet.utility[*].id)
}

output "internet_gateway_id" {
  description = "The internet gateway's ID."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs (one, or one per zone)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "The NAT gateways' public addresses: the cluster's egress IPs."
  value       = aws_eip.nat[*].public_ip
}

output "private_route_table_ids" {
  description = "Private route table IDs, in zone order."
  value       = aws_route_table.private[*].id
}
