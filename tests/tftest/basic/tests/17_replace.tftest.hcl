run "apply" {}

run "replace" {
  plan_options {
    replace = [terraform_data.one]
  }

  assert {
    condition     = output.one_id != run.apply.one_id
    error_message = "replaced instance gets a new id"
  }
}

run "no_replace" {
  assert {
    condition     = output.one_id == run.replace.one_id
    error_message = "unchanged"
  }
}
