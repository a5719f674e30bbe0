"""Every write of the data zone. Views, commands and the admin call these and nothing else."""

from .heartbeat import worker_alive, worker_heartbeat_latest, worker_heartbeat_record
from .loading import (
    ABANDONED_AFTER,
    data_version_claim_next,
    data_version_confirm,
    data_version_discard,
    data_version_load_file,
    data_version_process,
    data_versions_recover_abandoned,
)
from .versions import (
    ROLLBACK_PERMISSION,
    check_file_name,
    check_upload_size,
    data_version_rollback,
    data_version_upload,
    data_versions_archive,
    data_versions_failed_files_delete,
    this_worker,
)

__all__ = [
    "ABANDONED_AFTER",
    "ROLLBACK_PERMISSION",
    "check_file_name",
    "check_upload_size",
    "data_version_claim_next",
    "data_version_confirm",
    "data_version_discard",
    "data_version_load_file",
    "data_version_process",
    "data_version_rollback",
    "data_version_upload",
    "data_versions_archive",
    "data_versions_failed_files_delete",
    "data_versions_recover_abandoned",
    "this_worker",
    "worker_alive",
    "worker_heartbeat_latest",
    "worker_heartbeat_record",
]
