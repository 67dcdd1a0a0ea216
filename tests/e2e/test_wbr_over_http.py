def test_the_chart_and_the_export_over_http(
    server: FlywheelServer, leadership: str, tmp_path: Path
) -> None:
    team = charter(server, leadership, "Charts", "cat@example.com")["id"]
    metric = define(server, leadership, "Chart orders", "OUTPUT", team)["id"]
    body = [
        {"metricId": metric, "periodEnd": str(FIRST_SATURDAY + timedelta(weeks=n)), "value": n}
        for n in range(104)
    ]
    loaded = ok(server.post("/api/v1/observations", leadership, body))
    headers = {"Authorization": f"Bearer {leadership}", "X-Flywheel-Position": "0"}
    server.graphql(leadership).query("{ __typename }", wait_for=loaded["position"])
    svg = httpx.get(
        f"{server.url}/api/v1/metrics/{metric}/wbr.svg",
        params={"weekEnding": "2024-08-31"},
        headers=headers,
        timeout=60,
    )
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)  # noqa: S314 - the server's own SVG
    group = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert sum(1 for e in group["wbr-weeks"].iter() if e.tag.endswith("use")) == 6
    assert sum(1 for e in group["wbr-months"].iter() if e.tag.endswith("use")) == 12
    png = httpx.get(
        f"{server.url}/api/v1/metrics/{metric}/wbr.png",
        params={"weekEnding": "2024-08-31"},
        headers=headers,
        timeout=60,
    )
    assert png.content.startswith(b"\x89PNG")
    exported = httpx.get(
        f"{server.url}/api/v1/wbr/export",
        params={"weekEnding": "2024-08-31", "teamId": team},
        headers=headers,
        timeout=60,
    )
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert sorted(archive.namelist()) == ["annotations.csv", "config.yaml", "data.csv"]
        config = yaml.safe_load(archive.read("config.yaml"))
        data = archive.read("data.csv").decode()
    assert config["setup"]["week_ending"] == "31-AUG-2024"
    assert config["metrics"]["Chart orders"]["aggf"] == "sum"
    assert data.splitlines()[0] == "Date,Chart orders,Chart orders__Target"
    assert data.splitlines()[1] == "Sat, 07-Jan-2023,0,"
    out = tmp_path / "wbr"
    done = subprocess.run(
        [
            FLYWHEEL,
            "wbr",
            "export",
            "--week-ending",
            "2024-08-31",
            "--team",
            team,
            "--out",
            str(out),
        ],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "data.csv").read_text() == data
