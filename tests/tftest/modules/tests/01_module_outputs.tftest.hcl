run "plan" {
  command = plan

  assert {
    condition     = output.other_prefix == "app-other"
    error_message = "module output known at plan"
  }
}

run "apply" {
  assert {
    condition     = output.names == ["app-0", "app-1"]
    error_message = "child names"
  }

  assert {
    condition     = output.joined == "app-0,app-1"
    error_message = "joined"
  }

  assert {
    condition     = length(module.child.names) == 2
    error_message = "module references in assertions"
  }
}
