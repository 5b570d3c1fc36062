"""What S3 and Lambda do after a browser posts a file (tests against moto's server, outside the local
runtime's event runner): S3 announced the object on the uploads queue; hand every waiting announcement to
the `check_uploads` function as Lambda would, so that the upload's verdict is recorded."""
import os

import boto3

from tests.events.test_handlers import sqs_event


def check_announced_uploads(client) -> list[dict]:
    """Deliver what waits on the uploads queue to `check_uploads` (through chalice.test's lambda_.invoke);
    returns the notification bodies delivered. Other tests' uploads are checked too: the check is idempotent."""
    sqs, queue = boto3.client("sqs"), os.environ["UPLOADS_QUEUE_URL"]
    bodies = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        result = client.lambda_.invoke("check_uploads", sqs_event([m["Body"] for m in messages])).payload
        assert result == {"batchItemFailures": []}, result
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        bodies += [m["Body"] for m in messages]
    return bodies
