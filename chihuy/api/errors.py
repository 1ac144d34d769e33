from rest_framework.views import exception_handler as problem_exception_handler  # replaced by the API work

__all__ = ["problem_exception_handler"]
