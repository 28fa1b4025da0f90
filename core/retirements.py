"""What a change retires, made durable: recorded in the database in the change's own
transaction (`record`), applied as it commits, and applied again until it succeeds.

A `Retirement` (core/models.py) holds the surrogate keys one change retires and its next
step:
1. retire: a new content version, then new versions of the keys
   (core/content_version.py), so that no reader trusts what it kept from before;
2. purge: the CDN's purge of the keys (core/cdn.py);
3. purge again, CONTENT_VERSION_RECHECK_SECONDS later: for that long an app server that
   read the content version just before the change may still answer from what it kept,
   and a CDN fetching from it meanwhile would keep that answer.
It is deleted once its last step is done.

The process that made the change takes its due steps as the transaction commits. A step
that fails (the shared cache or the CDN out of reach) is tried again RETRY_SECONDS
later, then less often (at most every MAX_RETRY_SECONDS); a step due later waits. Both
are taken by `apply_due`, a task the worker runs when they fall due: so a change made
while Redis was unreachable is retired within seconds of its return. Each time a step
falls due at is saved with that task queued for it, in one transaction, a claim's lapse
among them: so a step held by a process that stopped mid-way (the worker too) is taken
once the claim lapses, and no task queues another that finds nothing due. A purge no
longer needed (the CDN's copy has expired: GRAPHQL_CDN_MAX_AGE) is dropped.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import cdn, content_version
from .models import Retirement

logger = logging.getLogger("cms.cache")

RETRY_SECONDS = 1
MAX_RETRY_SECONDS = 60
# How long a process holds a step it is taking: another finds it not yet due meanwhile.
CLAIM_SECONDS = 15  # a purge request times out after 5 (core/cdn.py)

Step = Retirement.Step


def record(keys):
    """Record what a change retires, in its transaction; take its steps once it commits."""
    # Held by this process from the start, as if claimed: a worker running meanwhile leaves
    # it alone. Queued in the same transaction: should this process stop before it takes
    # the retirement, the worker takes it once the hold lapses.
    held_until = timezone.now() + timedelta(seconds=CLAIM_SECONDS + 1)
    retirement = Retirement.objects.create(keys=sorted(keys), due_at=held_until)
    queue_for(held_until)
    transaction.on_commit(lambda: take_committed(retirement))


def on_change(change):
    """The pipeline's retirement stage (core/changes.py)."""
    if change.keys:
        record(change.keys)


def on_changes_together(group):
    """The retirement stage for changes made together: one retirement of all their keys,
    so that the CDN is purged of them at once, by one purge."""
    if group.keys:
        record(group.keys)


def take_committed(retirement):
    # The change has committed: a failure here must not fail the editor's request.
    try:
        if claim(retirement, timezone.now()):
            take_steps(retirement)
    except Exception:
        logger.exception("Could not take the steps of %s", retirement)


@task()
def apply_due():
    """Take every due step, oldest change first."""
    now = timezone.now()
    for retirement in Retirement.objects.filter(due_at__lte=now).order_by("pk"):
        if claim(retirement, now):
            take_steps(retirement)


def claim(retirement, now):
    """Take the retirement for this process, until the claim lapses: only one of two
    claims succeeds."""
    lapses_at = now + timedelta(seconds=CLAIM_SECONDS)
    with transaction.atomic():
        claimed = Retirement.objects.filter(
            pk=retirement.pk, step=retirement.step, due_at=retirement.due_at
        ).update(due_at=lapses_at)
        if claimed:
            queue_for(lapses_at)
    if claimed:
        retirement.due_at = lapses_at
    return claimed == 1


def take_steps(retirement):
    """Its steps, in order, while they are due; a failed one waits for its retry."""
    while True:
        now = timezone.now()
        if retirement.step != Step.RETIRE and not purge_still_needed(retirement, now):
            retirement.delete()
            return
        try:
            STEPS[retirement.step](retirement.keys)
        except Exception:
            if retirement.step == Step.RETIRE:
                content_version.distrust_until_retired()
            logger.error(
                "Could not %s for %s: tried again later",
                retirement.step,
                " ".join(retirement.keys),
                exc_info=True,
            )
            delay = min(RETRY_SECONDS * 2**retirement.failures, MAX_RETRY_SECONDS)
            retirement.failures += 1
            schedule(retirement, now + timedelta(seconds=delay))
            return
        following = next_step(retirement.step)
        if following is None:
            retirement.delete()
            return
        retirement.step, retirement.failures = following
        if retirement.step == Step.PURGE_AGAIN:
            recheck = timedelta(seconds=settings.CONTENT_VERSION_RECHECK_SECONDS)
            schedule(retirement, now + recheck)
            return
        # Due now, and still claimed: taken next.
        retirement.save(update_fields=["step", "failures"])


def schedule(retirement, due_at):
    """Save the retirement's step for `due_at`, with the task that takes it then."""
    retirement.due_at = due_at
    with transaction.atomic():
        retirement.save(update_fields=["step", "failures", "due_at"])
        queue_for(due_at)


def next_step(step):
    """(the step after `step`, its failures: none yet), or None when none is left."""
    if not settings.CDN_PURGE_BACKEND or step == Step.PURGE_AGAIN:
        return None
    if step == Step.PURGE and settings.CONTENT_VERSION_RECHECK_SECONDS <= 0:
        return None
    return (Step.PURGE if step == Step.RETIRE else Step.PURGE_AGAIN), 0


def purge_still_needed(retirement, now):
    return now - retirement.created_at < timedelta(seconds=settings.GRAPHQL_CDN_MAX_AGE)


STEPS = {
    Step.RETIRE: content_version.replace_versions,
    Step.PURGE: cdn.send,
    Step.PURGE_AGAIN: cdn.send,
}


def queue_for(due_at):
    """Have the worker run `apply_due` when a step falls due. A backend that runs
    tasks at once (the test suite's) cannot wait: there a step left for later waits
    until `apply_due` is called."""
    backend = apply_due.get_backend()
    if backend.supports_defer:
        apply_due.using(run_after=max(due_at, timezone.now())).enqueue()
