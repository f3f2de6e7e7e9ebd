"""Backups and the restore drill (PostgreSQL).

`flask --app app backup DIR` writes, from one consistent snapshot of the database: `database.dump` (pg_dump's
custom format), `figures.json` (every table's row count and every money column's total, read in that same
snapshot), then `uploads.tar.gz` (every file in the upload store, the folder or the S3 bucket, taken after the
snapshot, so every file a row names is in it: files are written before their rows and are not changed
afterwards) and `files.json` (each file's size and SHA-256).

`flask --app app restore-drill DIR --into postgresql://…/empty_db --upload-dir EMPTY_FOLDER` restores both into
an empty database and an empty folder, reads the same figures from the restored database and the files from the
folder, and fails (exit 1, saying what differs) unless every count, every money total and every file match."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import Engine, Integer, create_engine, func, select, text

from .extensions import db
from .storage import Store, uploads


class DrillFailed(click.ClickException):
    """The restored copy is not the backed-up one; the message says how."""


def _libpq_url(engine: Engine) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def figures(connection) -> dict:
    """Rows per table and the total of every money column (integers named *_pence), read on `connection`."""
    out: dict = {"rows": {}, "money": {}}
    for table in db.metadata.sorted_tables:
        out["rows"][table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
        for column in table.columns:
            if column.name.endswith("_pence") and isinstance(column.type, Integer):
                total = connection.execute(select(func.coalesce(func.sum(column), 0))).scalar_one()
                out["money"][f"{table.name}.{column.name}"] = int(total)
    return out


def file_list(folder: Path) -> dict[str, dict]:
    """Every file under the folder: its size and SHA-256, by its path inside the folder."""
    listing = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        listing[path.relative_to(folder).as_posix()] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return listing


def backup(engine: Engine, store: Store, out: Path) -> dict:
    """Dump the database and the upload store (a folder or a bucket) into `out`; the figures read in the dump's own
    snapshot."""
    out.mkdir(parents=True, exist_ok=True)
    with engine.connect() as conn:
        conn.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        taken = figures(conn)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                        f"--snapshot={snapshot}", f"--file={out / 'database.dump'}", _libpq_url(engine)],
                       check=True, capture_output=True)
        conn.execute(text("COMMIT"))
    taken["schema"] = schema
    (out / "figures.json").write_text(json.dumps(taken, indent=1, sort_keys=True))
    files = {}
    with tarfile.open(out / "uploads.tar.gz", "w:gz") as archive:
        for name, modified in sorted(store.listing()):
            data = store.get(name)
            if data is None:  # removed since it was listed (a pending file linked or swept)
                continue
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), int(modified)
            archive.addfile(info, io.BytesIO(data))
            files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (out / "files.json").write_text(json.dumps(files, indent=1, sort_keys=True))
    return {"tables": len(taken["rows"]), "rows": sum(taken["rows"].values()), "files": len(files)}


@dataclass
class DrillReport:
    rows: int
    money_columns: int
    files: int
    problems: list[str]


def restore_drill(backup_dir: Path, into_url: str, upload_dir: Path) -> DrillReport:
    """Restore the backup into an empty database and folder, and compare what is there with what was backed up."""
    expected = json.loads((backup_dir / "figures.json").read_text())
    expected_files = json.loads((backup_dir / "files.json").read_text())
    schema = expected["schema"]
    engine = create_engine(into_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}).scalar()
        if tables:
            raise DrillFailed(f"The database to restore into already has {tables} tables in {schema}: use an empty one")
        if upload_dir.exists() and any(upload_dir.iterdir()):
            raise DrillFailed(f"{upload_dir} is not empty: restore into an empty folder")
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                        f"--dbname={_libpq_url(engine)}", str(backup_dir / "database.dump")],
                       check=True, capture_output=True)
        with engine.connect() as conn:
            found = figures(conn)
    finally:
        engine.dispose()
    upload_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_dir / "uploads.tar.gz") as archive:
        archive.extractall(upload_dir, filter="data")
    problems = [f"{name}: {expected['rows'][name]} rows backed up, {found['rows'].get(name)} restored"
                for name in expected["rows"] if found["rows"].get(name) != expected["rows"][name]]
    problems += [f"{name}: {expected['money'][name]}p backed up, {found['money'].get(name)}p restored"
                 for name in expected["money"] if found["money"].get(name) != expected["money"][name]]
    restored_files = file_list(upload_dir)
    problems += [f"file {name}: missing or different after restoring"
                 for name, facts in expected_files.items() if restored_files.get(name) != facts]
    return DrillReport(sum(found["rows"].values()), len(found["money"]), len(restored_files), problems)


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory: Path) -> None:
        """Back up the database and the upload store into DIRECTORY (PostgreSQL)."""
        if db.engine.dialect.name != "postgresql":
            raise click.ClickException("backup is for PostgreSQL; with SQLite, copy the database file and uploads")
        done = backup(db.engine, uploads(), directory)
        click.echo(f"Backed up {done['rows']} rows in {done['tables']} tables and {done['files']} files "
                   f"to {directory}")

    @app.cli.command("restore-drill")
    @click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--into", "into_url", required=True, help="An empty PostgreSQL database to restore into")
    @click.option("--upload-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="An empty folder to restore the uploads into")
    def restore_drill_command(directory: Path, into_url: str, upload_dir: Path) -> None:
        """Restore a backup into an empty database and folder, and check every count, money total and file."""
        report = restore_drill(directory, into_url, upload_dir)
        if report.problems:
            raise DrillFailed("The restored copy differs:\n  " + "\n  ".join(report.problems))
        click.echo(f"Restore drill passed: {report.rows} rows, {report.money_columns} money totals and "
                   f"{report.files} files match the backup.")

