"""Black-box tests of Pier's AmplifyBackend storage API with boto3.

test/backend/run.sh starts versitygw and Pier and runs this file with:
PIER_ENDPOINT, PIER_BIN, PIER_KEY_ID, PIER_SECRET (Pier's API and its
administrator key), S3_ENDPOINT, S3_ROOT_KEY, S3_ROOT_SECRET (versitygw and
the root key Pier uses) and OTHER_BUCKET (a bucket another versitygw user
owns).

Permissions are checked on the store itself: anonymous requests with plain
urllib, signed ones with an s3 client holding the credential Pier issues to
the backend environment (read with `pier backend-credentials`).
"""

import datetime
import os
import subprocess
import time
import unittest
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

EP = os.environ["PIER_ENDPOINT"]
S3 = os.environ["S3_ENDPOINT"]
PIER_KEYS = dict(aws_access_key_id=os.environ["PIER_KEY_ID"], aws_secret_access_key=os.environ["PIER_SECRET"], region_name="us-east-1")
CFG = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version="s3v4")

amplify = boto3.client("amplify", endpoint_url=EP, config=Config(retries={"max_attempts": 1}), **PIER_KEYS)
backend = boto3.client("amplifybackend", endpoint_url=EP, config=Config(retries={"max_attempts": 1}), **PIER_KEYS)
root_s3 = boto3.client("s3", endpoint_url=S3, config=CFG, aws_access_key_id=os.environ["S3_ROOT_KEY"],
                       aws_secret_access_key=os.environ["S3_ROOT_SECRET"], region_name="us-east-1")


def suffix():
    return uuid.uuid4().hex[:10]


def new_app():
    return amplify.create_app(name="backend-" + suffix())["app"]["appId"]


def wait_job(app, env, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        job = backend.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
        if job["Status"] != "IN_PROGRESS":
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still IN_PROGRESS after {timeout}s")
        time.sleep(0.1)


def new_backend(app, env="dev"):
    out = backend.create_backend(AppId=app, AppName="site", BackendEnvironmentName=env)
    job = wait_job(app, env, out["JobId"])
    assert job["Status"] == "COMPLETED", job
    return job


def storage_config(auth, unauth=None, bucket=None):
    perms = {"Authenticated": auth}
    if unauth is not None:
        perms["UnAuthenticated"] = unauth
    cfg = {"ServiceName": "S3", "Permissions": perms}
    if bucket:
        cfg["BucketName"] = bucket
    return cfg


def create_storage(app, env, name, auth, unauth=None, bucket=None):
    out = backend.create_backend_storage(AppId=app, BackendEnvironmentName=env, ResourceName=name,
                                         ResourceConfig=storage_config(auth, unauth, bucket))
    assert out["Status"] == "IN_PROGRESS" and out["JobId"], out
    return wait_job(app, env, out["JobId"])


def anonymous(method, bucket, key, body=None):
    """Sends an unsigned request to the store and returns the HTTP status."""
    req = urllib.request.Request(f"{S3}/{bucket}/{key}", data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def backend_credentials(app, env):
    """Runs `pier backend-credentials` and returns an s3 client with its key."""
    env_vars = dict(os.environ, AWS_ACCESS_KEY_ID=os.environ["PIER_KEY_ID"], AWS_SECRET_ACCESS_KEY=os.environ["PIER_SECRET"])
    out = subprocess.run([os.environ["PIER_BIN"], "backend-credentials", app, env, "--endpoint", EP],
                         env=env_vars, check=True, capture_output=True, text=True).stdout
    vals = dict(line.split("=", 1) for line in out.strip().splitlines())
    assert vals["AWS_ENDPOINT_URL_S3"] == S3, vals
    return boto3.client("s3", endpoint_url=S3, config=CFG, aws_access_key_id=vals["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=vals["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")


def error_code(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def bucket_exists(name):
    return error_code(root_s3.head_bucket, Bucket=name) is None


def iso(ts):
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")


class StorageLifecycle(unittest.TestCase):
    def test_lifecycle(self):
        app = new_app()
        job = new_backend(app)
        self.assertEqual(job["Operation"], "CreateBackend")
        self.assertLessEqual(iso(job["CreateTime"]), iso(job["UpdateTime"]))
        envs = amplify.list_backend_environments(appId=app)["backendEnvironments"]
        self.assertEqual([e["environmentName"] for e in envs], ["dev"])
        got = backend.get_backend(AppId=app)
        self.assertEqual((got["AppName"], got["BackendEnvironmentList"], got["BackendEnvironmentName"]), ("site", ["dev"], "dev"))
        self.assertEqual(error_code(backend.create_backend, AppId=app, AppName="site", BackendEnvironmentName="dev"), "BadRequestException")

        # A bucket named after the app, environment and resource.
        job = create_storage(app, "dev", "files", ["READ", "CREATE_AND_UPDATE"], ["READ"])
        self.assertEqual((job["Status"], job["Operation"]), ("COMPLETED", "CreateBackendStorage"), job)
        st = backend.get_backend_storage(AppId=app, BackendEnvironmentName="dev", ResourceName="files")
        cfg = st["ResourceConfig"]
        bucket = cfg["BucketName"]
        self.assertEqual(bucket, f"files-{app}-dev")
        self.assertEqual((cfg["Imported"], cfg["ServiceName"]), (False, "S3"))
        self.assertEqual(cfg["Permissions"], {"Authenticated": ["READ", "CREATE_AND_UPDATE"], "UnAuthenticated": ["READ"]})
        names = [b["Name"] for b in backend.list_s3_buckets()["Buckets"]]
        self.assertIn(bucket, names)
        self.assertIn(f'"{bucket}"', backend.get_backend(AppId=app)["AmplifyMetaConfig"])
        self.assertEqual(error_code(create_storage, app, "dev", "files", ["READ"]), "BadRequestException")

        # UnAuthenticated READ: anonymous GET works, anonymous PUT does not.
        root_s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello")
        self.assertEqual(anonymous("GET", bucket, "hello.txt"), 200)
        self.assertEqual(anonymous("PUT", bucket, "anon.txt", b"x"), 403)
        # Authenticated READ and CREATE_AND_UPDATE, not DELETE, for the
        # environment's credential.
        user = backend_credentials(app, "dev")
        self.assertEqual(user.get_object(Bucket=bucket, Key="hello.txt")["Body"].read(), b"hello")
        user.put_object(Bucket=bucket, Key="user.txt", Body=b"mine")
        self.assertEqual(error_code(user.delete_object, Bucket=bucket, Key="user.txt"), "AccessDenied")

        # UpdateBackendStorage replaces the permissions.
        out = backend.update_backend_storage(AppId=app, BackendEnvironmentName="dev", ResourceName="files",
                                             ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": ["READ", "DELETE"]}})
        self.assertEqual(wait_job(app, "dev", out["JobId"])["Status"], "COMPLETED")
        cfg = backend.get_backend_storage(AppId=app, BackendEnvironmentName="dev", ResourceName="files")["ResourceConfig"]
        self.assertEqual(cfg["Permissions"], {"Authenticated": ["READ", "DELETE"], "UnAuthenticated": []})
        self.assertEqual(anonymous("GET", bucket, "hello.txt"), 403)
        self.assertEqual(error_code(user.put_object, Bucket=bucket, Key="user2.txt", Body=b"x"), "AccessDenied")
        user.delete_object(Bucket=bucket, Key="user.txt")

        # A bucket named by the client, anonymous writers and deleters only.
        explicit = "pier-bt-" + suffix()
        job = create_storage(app, "dev", "uploads", [], ["CREATE_AND_UPDATE", "DELETE"], bucket=explicit)
        self.assertEqual(job["Status"], "COMPLETED", job)
        self.assertEqual(anonymous("PUT", explicit, "a.txt", b"x"), 200)
        self.assertEqual(anonymous("GET", explicit, "a.txt"), 403)
        self.assertEqual(anonymous("DELETE", explicit, "a.txt"), 204)

        # Deleting a resource whose bucket holds objects keeps the bucket.
        out = backend.delete_backend_storage(AppId=app, BackendEnvironmentName="dev", ResourceName="files", ServiceName="S3")
        job = wait_job(app, "dev", out["JobId"])
        self.assertEqual(job["Status"], "COMPLETED", job)
        self.assertIn("not empty", job.get("Error", ""))
        self.assertTrue(bucket_exists(bucket))
        self.assertEqual(error_code(backend.get_backend_storage, AppId=app, BackendEnvironmentName="dev", ResourceName="files"), "NotFoundException")
        # ... and an empty one goes with it.
        out = backend.delete_backend_storage(AppId=app, BackendEnvironmentName="dev", ResourceName="uploads", ServiceName="S3")
        job = wait_job(app, "dev", out["JobId"])
        self.assertEqual((job["Status"], job.get("Error")), ("COMPLETED", None), job)
        self.assertFalse(bucket_exists(explicit))

        # ListBackendJobs: newest first, filtered.
        jobs = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev")["Jobs"]
        self.assertEqual([j["Operation"] for j in jobs], ["DeleteBackendStorage", "DeleteBackendStorage", "CreateBackendStorage",
                                                          "UpdateBackendStorage", "CreateBackendStorage", "CreateBackend"])
        creates = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", Operation="CreateBackendStorage")["Jobs"]
        self.assertEqual(len(creates), 2)
        one = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", JobId=creates[0]["JobId"])["Jobs"]
        self.assertEqual([j["JobId"] for j in one], [creates[0]["JobId"]])
        self.assertEqual(backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", Status="FAILED")["Jobs"], [])
        page = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", MaxResults=4)
        rest = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", NextToken=page["NextToken"])
        self.assertEqual([j["JobId"] for j in page["Jobs"] + rest["Jobs"]], [j["JobId"] for j in jobs])

        # DeleteBackend removes the environment.
        out = backend.delete_backend(AppId=app, BackendEnvironmentName="dev")
        self.assertEqual(wait_job(app, "dev", out["JobId"])["Status"], "COMPLETED")
        self.assertEqual(amplify.list_backend_environments(appId=app)["backendEnvironments"], [])
        self.assertEqual(backend.get_backend(AppId=app)["BackendEnvironmentList"], [])

    def test_import(self):
        app = new_app()
        new_backend(app, "prod")
        bucket = "pier-bt-import-" + suffix()
        root_s3.create_bucket(Bucket=bucket)
        root_s3.put_object(Bucket=bucket, Key="index.html", Body=b"<p>hi</p>")
        out = backend.import_backend_storage(AppId=app, BackendEnvironmentName="prod", BucketName=bucket, ServiceName="S3")
        self.assertEqual(wait_job(app, "prod", out["JobId"])["Status"], "COMPLETED")
        cfg = backend.get_backend_storage(AppId=app, BackendEnvironmentName="prod", ResourceName=bucket)["ResourceConfig"]
        self.assertEqual((cfg["Imported"], cfg["BucketName"], cfg["Permissions"]["Authenticated"]), (True, bucket, []))
        self.assertEqual(anonymous("GET", bucket, "index.html"), 403)
        out = backend.update_backend_storage(AppId=app, BackendEnvironmentName="prod", ResourceName=bucket,
                                             ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": [], "UnAuthenticated": ["READ"]}})
        self.assertEqual(wait_job(app, "prod", out["JobId"])["Status"], "COMPLETED")
        self.assertEqual(anonymous("GET", bucket, "index.html"), 200)
        # An imported bucket is never deleted, and loses Pier's grants.
        out = backend.delete_backend_storage(AppId=app, BackendEnvironmentName="prod", ResourceName=bucket, ServiceName="S3")
        job = wait_job(app, "prod", out["JobId"])
        self.assertEqual(job["Status"], "COMPLETED")
        self.assertIn("imported", job.get("Error", ""))
        self.assertTrue(bucket_exists(bucket))
        self.assertEqual(anonymous("GET", bucket, "index.html"), 403)

    def test_failures(self):
        app = new_app()
        new_backend(app)
        other = os.environ["OTHER_BUCKET"]
        cases = [
            ("unknown app", backend.create_backend, dict(AppId="d0000000000000", AppName="x", BackendEnvironmentName="dev"), "NotFoundException"),
            ("unknown app storage", backend.create_backend_storage,
             dict(AppId="d0000000000000", BackendEnvironmentName="dev", ResourceName="r", ResourceConfig=storage_config(["READ"])), "NotFoundException"),
            ("unknown environment", backend.create_backend_storage,
             dict(AppId=app, BackendEnvironmentName="nope", ResourceName="r", ResourceConfig=storage_config(["READ"])), "NotFoundException"),
            ("unknown environment get", backend.get_backend_storage, dict(AppId=app, BackendEnvironmentName="nope", ResourceName="r"), "NotFoundException"),
            ("unknown resource", backend.get_backend_storage, dict(AppId=app, BackendEnvironmentName="dev", ResourceName="r"), "NotFoundException"),
            ("unknown resource update", backend.update_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", ResourceName="r", ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": []}}), "NotFoundException"),
            ("unknown job", backend.get_backend_job, dict(AppId=app, BackendEnvironmentName="dev", JobId="nope"), "NotFoundException"),
            ("unknown environment delete", backend.delete_backend, dict(AppId=app, BackendEnvironmentName="nope"), "NotFoundException"),
            ("bad enum", backend.create_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", ResourceName="r", ResourceConfig=storage_config(["WRITE"])), "BadRequestException"),
            ("bad bucket name", backend.create_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", ResourceName="r", ResourceConfig=storage_config(["READ"], bucket="Not_A_Bucket")), "BadRequestException"),
            ("import of another user's bucket", backend.import_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", BucketName=other, ServiceName="S3"), "BadRequestException"),
            ("import of a missing bucket", backend.import_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", BucketName="pier-bt-missing-" + suffix(), ServiceName="S3"), "NotFoundException"),
            ("import without a bucket", backend.import_backend_storage,
             dict(AppId=app, BackendEnvironmentName="dev", ServiceName="S3"), "BadRequestException"),
            ("unsupported operation", backend.get_backend_auth, dict(AppId=app, BackendEnvironmentName="dev", ResourceName="r"), "BadRequestException"),
        ]
        for name, fn, kwargs, want in cases:
            with self.subTest(name):
                self.assertEqual(error_code(fn, **kwargs), want)

        # Creating a bucket another user owns fails the job, with its reason.
        job = create_storage(app, "dev", "taken", ["READ"], bucket=other)
        self.assertEqual(job["Status"], "FAILED", job)
        self.assertIn(other, job["Error"])
        self.assertEqual(error_code(backend.get_backend_storage, AppId=app, BackendEnvironmentName="dev", ResourceName="taken"), "NotFoundException")
        failed = backend.list_backend_jobs(AppId=app, BackendEnvironmentName="dev", Status="FAILED")["Jobs"]
        self.assertEqual([j["JobId"] for j in failed], [job["JobId"]])

    def test_update_backend_job(self):
        app = new_app()
        job = new_backend(app)
        same = backend.update_backend_job(AppId=app, BackendEnvironmentName="dev", JobId=job["JobId"], Status="COMPLETED")
        self.assertEqual((same["Status"], same["Operation"]), ("COMPLETED", "CreateBackend"))
        self.assertEqual(error_code(backend.update_backend_job, AppId=app, BackendEnvironmentName="dev", JobId=job["JobId"], Status="IN_PROGRESS"),
                         "BadRequestException")

    def test_remove_all_backends(self):
        app = new_app()
        new_backend(app, "dev")
        new_backend(app, "prod")
        self.assertEqual(sorted(backend.get_backend(AppId=app)["BackendEnvironmentList"]), ["dev", "prod"])
        buckets = []
        for env in ("dev", "prod"):
            self.assertEqual(create_storage(app, env, "files", ["READ"])["Status"], "COMPLETED")
            buckets.append(f"files-{app}-{env}")
        out = backend.remove_all_backends(AppId=app)
        self.assertEqual(out["Operation"], "RemoveAllBackends")
        job = wait_job(app, "dev", out["JobId"])
        self.assertEqual(job["Status"], "COMPLETED", job)
        self.assertEqual(error_code(backend.get_backend, AppId=app), "NotFoundException")
        self.assertEqual(amplify.list_backend_environments(appId=app)["backendEnvironments"], [])
        for b in buckets:
            self.assertFalse(bucket_exists(b), b)
        amplify.get_app(appId=app)  # the app stays without CleanAmplifyApp


if __name__ == "__main__":
    unittest.main()
