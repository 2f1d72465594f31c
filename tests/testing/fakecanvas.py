"""A loopback fake of the Canvas REST endpoints canvasapi calls for passback and for reading a course's roster.

Responses have Canvas's shapes (docs: developerdocs.instructure.com, "Courses", "Users", "Sections",
"Submissions"): a course, an assignment, the bulk grade update (a Progress), the course's sections, and its
users (``/users`` and ``/search_users``, which canvasapi calls) filtered by ``enrollment_type[]``, in pages of
``page_size`` whatever ``per_page`` asks (Canvas caps it too) linked by a ``Link`` header (``rel="next"``).
Every request's Authorization header is recorded; ``students`` are user objects as Canvas returns them.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any


class FakeCanvas:
    def __init__(self, students: list[dict[str, Any]] | None = None, sections: list[dict[str, Any]] | None = None,
                 page_size: int = 2, fail: int | None = None) -> None:
        from werkzeug.serving import make_server

        self.posted: list[dict[str, str]] = []
        self.auth: list[str] = []
        self.requests: list[str] = []
        self.students = students or []
        self.sections = sections or []
        self.page_size = page_size
        self.fail = fail  # an HTTP status every users request answers with
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def app(self, environ, start_response):  # type: ignore[no-untyped-def]
        from werkzeug.wrappers import Request, Response

        req = Request(environ)
        self.auth.append(req.headers.get("Authorization", ""))
        self.requests.append(req.full_path)
        path, headers = req.path, {}
        if req.method == "GET" and (m := re.fullmatch(r"/api/v1/courses/(\d+)", path)):
            body, status = {"id": int(m[1]), "name": "ML roadmap 2027"}, 200
        elif req.method == "GET" and (m := re.fullmatch(r"/api/v1/courses/(\d+)/assignments/(\d+)", path)):
            body, status = {"id": int(m[2]), "course_id": int(m[1]), "name": "churn", "points_possible": 20}, 200
        elif req.method == "POST" and re.fullmatch(r"/api/v1/courses/\d+/assignments/\d+/submissions/update_grades",
                                                   path):
            self.posted.append({"path": path, **req.form.to_dict()})
            body, status = {"id": 77, "workflow_state": "queued", "url": f"{self.url}/api/v1/progress/77"}, 200
        elif req.method == "GET" and re.fullmatch(r"/api/v1/courses/\d+/sections", path):
            body, status = self.sections, 200
        elif req.method == "GET" and re.fullmatch(r"/api/v1/courses/\d+/(search_)?users", path):
            if self.fail is not None:
                body, status = {"errors": [{"message": "user not authorized to perform that action"}]}, self.fail
            else:
                kinds = req.args.getlist("enrollment_type[]")
                include = set(req.args.getlist("include[]"))
                wanted = [u for u in self.students if not kinds or "student" in kinds]
                page = int(req.args.get("page", "1"))
                chunk = wanted[(page - 1) * self.page_size: page * self.page_size]
                body = [{k: v for k, v in u.items() if (k not in ("email", "enrollments") or k in include)}
                        for u in chunk]
                status = 200
                if page * self.page_size < len(wanted):
                    args = req.args.to_dict(flat=False)
                    args["page"] = [str(page + 1)]
                    from urllib.parse import urlencode

                    headers["Link"] = f'<{self.url}{path}?{urlencode(args, doseq=True)}>; rel="next"'
        else:
            body, status = {"errors": [{"message": "The specified resource does not exist."}]}, 404
        return Response(json.dumps(body), status=status, mimetype="application/json",
                        headers=headers)(environ, start_response)

    def __enter__(self) -> FakeCanvas:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
