//! The subscriber list is readable by jarchi's own user only. New files are created so
//! (and SQLite gives `-wal` and `-shm` the mode of the database), but a database made by an
//! older version, copied in, or restored from a backup may be wider open: tighten it at start.

use std::path::{Component, Path};

/// Tightens the database file, its `-wal` and `-shm` to 0600, and the folder that
/// `DATABASE_URL` names to 0700. Returns what it changed, for the log.
///
/// The folder is left alone when it is not jarchi's to close: when the URL names no folder
/// (`sqlite://jarchi.db` lives in whatever directory jarchi was started from), when another
/// user owns it, when it is shared like `/tmp` (sticky bit), or when it is `/` or `$HOME`.
#[cfg(unix)]
pub(super) fn tighten(database: &Path) -> std::io::Result<Vec<String>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let mut tightened = Vec::new();
    let mut owner = None;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        let metadata = match std::fs::metadata(file) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        owner.get_or_insert(metadata.uid());
        if metadata.mode() & 0o077 != 0 {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
            tightened.push(display_name(file));
        }
    }
    let Some(folder) = named_folder(database) else {
        return Ok(tightened);
    };
    let metadata = std::fs::metadata(folder)?;
    let shared = metadata.mode() & 0o1000 != 0;
    let ours = owner == Some(metadata.uid());
    if ours && !shared && !is_root_or_home(folder) && metadata.mode() & 0o077 != 0 {
        let mode = metadata.mode() & 0o700;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode))?;
        tightened.push(format!("{}/", folder.display()));
    }
    Ok(tightened)
}

#[cfg(not(unix))]
pub(super) fn tighten(_database: &Path) -> std::io::Result<Vec<String>> {
    Ok(Vec::new())
}

/// The folder written in the URL, if any: `data/jarchi.db` names `data`, while
/// `jarchi.db` and `./jarchi.db` name none (the working directory).
fn named_folder(database: &Path) -> Option<&Path> {
    let folder = database.parent()?;
    let names_one = folder.components().any(|c| !matches!(c, Component::CurDir));
    names_one.then_some(folder)
}

fn is_root_or_home(folder: &Path) -> bool {
    let Ok(folder) = folder.canonicalize() else {
        return true;
    };
    let home = std::env::var_os("HOME").and_then(|h| Path::new(&h).canonicalize().ok());
    folder.parent().is_none() || home.as_deref() == Some(folder.as_path())
}

fn display_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn files_and_the_named_folder_are_closed_to_others() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("data");
        std::fs::create_dir(&folder).unwrap();
        let db = folder.join("jarchi.db");
        for name in ["jarchi.db", "jarchi.db-wal", "jarchi.db-shm"] {
            std::fs::write(folder.join(name), b"").unwrap();
            chmod(&folder.join(name), 0o644);
        }
        chmod(&folder, 0o755);
        let tightened = tighten(&db).unwrap();
        assert_eq!(tightened.len(), 4, "{tightened:?}");
        for name in ["jarchi.db", "jarchi.db-wal", "jarchi.db-shm"] {
            assert_eq!(mode(&folder.join(name)), 0o600, "{name}");
        }
        assert_eq!(mode(&folder), 0o700);
        assert!(
            tighten(&db).unwrap().is_empty(),
            "a second pass has nothing to do"
        );
    }

    #[test]
    fn a_shared_folder_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("shared");
        std::fs::create_dir(&folder).unwrap();
        chmod(&folder, 0o1777);
        let db = folder.join("jarchi.db");
        std::fs::write(&db, b"").unwrap();
        chmod(&db, 0o644);
        assert_eq!(tighten(&db).unwrap(), vec!["jarchi.db".to_string()]);
        assert_eq!(mode(&folder), 0o1777);
    }

    #[test]
    fn only_a_folder_written_in_the_url_counts() {
        assert_eq!(named_folder(Path::new("jarchi.db")), None);
        assert_eq!(named_folder(Path::new("./jarchi.db")), None);
        assert_eq!(
            named_folder(Path::new("data/jarchi.db")),
            Some(Path::new("data"))
        );
        assert_eq!(
            named_folder(Path::new("/var/lib/jarchi/jarchi.db")),
            Some(Path::new("/var/lib/jarchi"))
        );
    }
}
