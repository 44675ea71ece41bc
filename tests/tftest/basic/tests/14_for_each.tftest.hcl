run "tags" {
  variables {
    tags = {
      a = "1"
      b = "2"
    }
  }

  assert {
    condition     = output.tag_count == 2
    error_message = "two tagged"
  }

  assert {
    condition     = terraform_data.tagged["a"].output == "a=1"
    error_message = "keyed instance"
  }
}

run "shrink" {
  variables {
    tags = {
      b = "2"
    }
  }

  assert {
    condition     = keys(terraform_data.tagged) == ["b"]
    error_message = "one left"
  }
}
