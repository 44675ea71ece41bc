override_module {
  target = module.child
  outputs = {
    names = ["x", "y", "z"]
  }
}

run "module_overridden" {
  assert {
    condition     = output.child_names == ["x", "y", "z"]
    error_message = "override_module replaces outputs"
  }
}

run "plan_too" {
  command = plan

  assert {
    condition     = length(module.child.names) == 3
    error_message = "module outputs are known at plan"
  }
}
