"""The ledger's background task: submit a new checkpoint to the witnesses (fpa.transparency.cosign).

A django-tasks task (queued after the signing transaction commits, run by `manage.py run_worker`;
inside the request with the immediate backend of the tests). A checkpoint that a newer one has
already replaced is still submitted: the witness cosigns it only when its size is the one it last
cosigned (409 otherwise, recorded).
"""

from __future__ import annotations

from django_tasks import task

from fpa.transparency import cosign
from fpa.transparency.models import Checkpoint


@task()
def submit_checkpoint(checkpoint_id: int) -> dict[str, str]:
    checkpoint = Checkpoint.objects.filter(pk=checkpoint_id).first()
    if checkpoint is None:
        return {}
    newest = Checkpoint.objects.order_by("-id").first()
    if newest is not None and newest.pk != checkpoint.pk:
        checkpoint = newest  # the witnesses only need the newest; older ones would be 409s
    outcomes = cosign.submit_to_all(checkpoint)
    return {name: outcome.status for name, outcome in outcomes.items()}
