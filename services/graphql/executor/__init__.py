"""A GraphQL executor that resolves trivial fields without the general machinery.

Most fields of an answer are plain attributes of the objects the resolvers
built (``name``, ``status``, ``since``), relay ids, or resolvers that only read
``self`` (``nodes``, ``leader``). graphql-core and strawberry resolve each one
with a resolve-info object, an argument parse and a chain of wrappers, and
complete each object of a list through half a dozen generic steps: several
microseconds a field, most of a large answer's time.

This executor *plans* each schema field once: a field whose value a plain
getter gives (no resolver arguments, no ``info``, no field extensions or
permissions, no schema middleware) gets that getter. Then

* a planned scalar or enum field is read and serialised straight away;
* a value whose whole selection is planned (``nodes { id name status }``,
  ``leader { person { handle } since }``) is completed by a function compiled
  once per request for that selection: no resolve info, no paths, no awaits.

Whenever anything is not as planned (a null where none may be, a getter or a
serialiser failing, an unexpected type, ``@defer`` or ``@stream``), the value
takes graphql-core's own path, so errors, their paths and nulls are exactly as
graphql-core reports them.

The package keeps one job per module: ``plans`` (which fields can be resolved
directly, and how), ``codegen`` (the generated completion of a planned
selection) and ``execution`` (the execution context that uses both).
"""

from services.graphql.executor.execution import FastExecutor

__all__ = ["FastExecutor"]
