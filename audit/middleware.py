from .services import record


class AdminAccessAuditMiddleware:
    """Records every request by a logged-in user that reaches an admin view: who, and
    which admin view and object (by URL name and id; never the query string, which could
    hold a filter value such as a status)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != "admin":
            return None
        # Anonymous visitors only get the redirect to the login page; recording them
        # would let anyone fill the log (and contend for its lock) at will.
        if not request.user.is_authenticated:
            return None
        object_id = view_kwargs.get("object_id")
        record(
            "admin.access",
            actor=request.user,
            target=(
                match.view_name,
                int(object_id) if object_id and str(object_id).isdigit() else None,
            ),
        )
        return None
