"""The local runtime's process-wide arrangements (local/runtime.py)."""
import botocore.session

from local.runtime import share_botocore_models


def test_sessions_share_one_parsed_copy_of_each_service_model():
    """PynamoDB makes a botocore session per thread, and the local API serves each request on a new thread:
    each parsed the DynamoDB model again and kept its own copy while the thread lived."""
    share_botocore_models()
    share_botocore_models()  # twice is once
    one, other = botocore.session.Session(), botocore.session.Session()
    model = one.get_component("data_loader").load_service_model("dynamodb", "service-2")
    assert other.get_component("data_loader").load_service_model("dynamodb", "service-2") is model
    # and a client made from either works as before
    assert one.create_client("dynamodb", region_name="us-east-1", aws_access_key_id="x",
                             aws_secret_access_key="x").meta.service_model.service_name == "dynamodb"
