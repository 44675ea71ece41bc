override_resource {
  target = module.child.terraform_data.item
  values = {
    output = "forced"
  }
}

run "nested_override" {
  assert {
    condition     = output.child_names == ["forced", "forced"]
    error_message = "override of a resource in a child module"
  }
}
