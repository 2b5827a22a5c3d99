from django.tasks import task


@task()
def echo(value: str) -> str:
    """A task whose result shows that a worker ran it."""
    return value
