variables {
  prefix = "v"
  size   = 0
}

run "empty" {
  assert {
    condition     = output.names == []
    error_message = "no items"
  }

  assert {
    condition     = output.joined == ""
    error_message = "empty join"
  }
}

run "grow" {
  variables {
    size = 3
  }

  assert {
    condition     = length(output.names) == 3
    error_message = "three"
  }
}
