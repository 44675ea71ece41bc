run "first" {
  variables {
    name = "first"
  }
}

run "second" {
  variables {
    name = "${run.first.full}x"
  }

  assert {
    condition     = output.full == "first-2x-2"
    error_message = "got ${output.full}"
  }

  assert {
    condition     = run.first.one_output == "first-2"
    error_message = "run outputs are readable in assertions"
  }
}
