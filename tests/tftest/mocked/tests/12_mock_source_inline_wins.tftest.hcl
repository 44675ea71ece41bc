mock_provider "terraform" {
  source = "./mocks"

  mock_resource "terraform_data" {
    defaults = {
      id = "inline"
    }
  }
}

run "inline_wins" {
  assert {
    condition     = output.a_id == "inline"
    error_message = "the block's own mock_resource wins"
  }

  assert {
    condition     = output.a_output == "file-output"
    error_message = "deliberately false: the file's defaults are not merged into the block's"
  }
}
