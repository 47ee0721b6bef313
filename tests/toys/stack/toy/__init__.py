"""A toy stack for the tests (tests/test_new_folders.py copies it into a copy of the
template as hooks/nonroot/stacks/toy/): a shell service that a builder stage assembles,
on any family."""
from ...rows import ANY_FAMILY, Stack

STACK = Stack(
    "toy", order=50, title="Toy (a shell service)", help="toy: a shell service, for the tests.",
    families=ANY_FAMILY, builder_image="debian:13-slim", builder_family="debian",
    layout_refusal="the toy stack assembles in a builder stage; use multi",
    command=lambda answers: ["/app/serve"], sample=lambda answers: ["serve.sh"],
)
