from tests.support import Api


def test_issue_call_serve_finish(admin: Api) -> None:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window = admin.window(office["id"], 1)
    ticket = admin.issue(office["id"], topic["id"])
    assert ticket["number"] == "A001"
    assert ticket["status"] == "waiting"
    assert ticket["position"] == 0
    operator = admin.operator(office["id"])
    called = operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    assert called["id"] == ticket["id"]
    assert called["status"] == "called"
    assert called["window"]["number"] == 1
    started = operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/start"))
    assert started["status"] == "serving"
    done = operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/finish"))
    assert done["status"] == "done"
    empty = operator.post(f"/api/v1/windows/{window['id']}/call-next")
    assert empty.status_code == 204
