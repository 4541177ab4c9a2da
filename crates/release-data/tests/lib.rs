//! Integration tests of the `.npz` reader: hand-made archives with known arrays (C and Fortran
//! order, 0-d i64 scalars, big-endian and narrow dtypes), malformed and truncated files (clear
//! errors, no panic), and the released teacher-student files when they are present.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use release_data::write::{npy_bytes, NpzWriter};
use release_data::{Data, Npz, ReleaseError};

fn known() -> (Vec<usize>, Vec<f64>) {
    let shape = vec![2, 3, 4];
    let data = (0..24).map(|k| k as f64 * 0.5 - 3.25).collect();
    (shape, data)
}

fn archive(fortran: bool) -> Vec<u8> {
    let (shape, data) = known();
    let mut w = NpzWriter::new();
    w.add_f64("W", &shape, &data, fortran)
        .add_i64("batch_size", &[], &[16], false)
        .add_f64("lr", &[], &[0.1], false)
        .add_i64("ints", &[3, 2], &[1, -2, 3, -4, 5, i64::MIN], fortran);
    w.to_bytes()
}

#[test]
fn reads_c_and_fortran_order_and_scalars() {
    let (shape, data) = known();
    for fortran in [false, true] {
        let npz = Npz::from_bytes("mem.npz", archive(fortran)).unwrap();
        assert_eq!(npz.keys(), vec!["W", "batch_size", "ints", "lr"]);
        let a = npz.array("W").unwrap();
        assert_eq!(a.shape, shape);
        assert_eq!(a.fortran_order, fortran);
        assert_eq!(a.as_f64().unwrap(), &data[..], "fortran = {fortran}");
        assert_eq!(a.get(&[1, 2, 3]), Some(data[23]));
        assert_eq!(a.get(&[1, 0, 2]), Some(data[12 + 2]));
        assert_eq!(a.get(&[2, 0, 0]), None);
        assert_eq!(npz.i64_scalar("batch_size").unwrap(), 16);
        assert_eq!(npz.f64_scalar("batch_size").unwrap(), 16.0);
        assert_eq!(npz.f64_scalar("lr").unwrap(), 0.1);
        let ints = npz.array("ints").unwrap();
        assert_eq!(ints.as_i64().unwrap(), &[1, -2, 3, -4, 5, i64::MIN]);
        assert!(npz.array("ints").unwrap().as_f64().is_none());
    }
}

/// The writer's output is what numpy writes, checked against numpy.
#[test]
#[ignore = "needs python3 with numpy on PATH (CI runs it with --ignored in the Python package's venv)"]
fn numpy_reads_our_files_and_we_read_numpy_files() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.npz");
    std::fs::write(&ours, archive(true)).unwrap();
    let theirs = dir.path().join("theirs.npz");
    let script = format!(
        "import numpy as np\n\
         d = np.load(r'{}')\n\
         w = d['W']\n\
         assert w.shape == (2, 3, 4) and w[1, 2, 3] == 8.25 and w[0, 0, 1] == -2.75, w\n\
         assert int(d['batch_size']) == 16 and d['batch_size'].shape == ()\n\
         a = np.asfortranarray(np.arange(6, dtype='>i4').reshape(2, 3))\n\
         np.savez_compressed(r'{}', a=a, b=np.float32(1.5), c=np.array([True, False]), \
         d=np.arange(5, dtype='<u2'), e=np.array(-7, dtype='i1'))\n",
        ours.display(),
        theirs.display()
    );
    let ran = std::process::Command::new("python3")
        .args(["-c", &script])
        .output();
    match ran {
        Ok(o) if o.status.success() => {}
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'numpy'") => {
            panic!("numpy is not installed for the python3 on PATH")
        }
        Ok(o) => panic!(
            "numpy rejected our file: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("python3 not found: {e}"),
    }
    let npz = Npz::open(&theirs).unwrap();
    let a = npz.array("a").unwrap();
    assert!(a.fortran_order);
    assert_eq!(a.descr, ">i4");
    assert_eq!(a.as_i64().unwrap(), &[0, 1, 2, 3, 4, 5]);
    assert_eq!(npz.f64_scalar("b").unwrap(), 1.5);
    assert_eq!(npz.array("c").unwrap().as_i64().unwrap(), &[1, 0]);
    assert_eq!(npz.array("d").unwrap().as_i64().unwrap(), &[0, 1, 2, 3, 4]);
    assert_eq!(npz.i64_scalar("e").unwrap(), -7);
}

fn err_of(bytes: Vec<u8>, key: &str) -> String {
    match Npz::from_bytes("bad.npz", bytes) {
        Err(e) => e.to_string(),
        Ok(npz) => match npz.array(key) {
            Err(e) => e.to_string(),
            Ok(a) => panic!("malformed input accepted: {a:?}"),
        },
    }
}

#[test]
fn malformed_and_truncated_files_give_clear_errors() {
    let good = archive(false);
    // Truncations at every length: never a panic, always an error naming the file.
    for cut in (0..good.len()).step_by(7) {
        let msg = err_of(good[..cut].to_vec(), "W");
        assert!(msg.starts_with("bad.npz: "), "{msg}");
    }
    let msg = err_of(good[..good.len() / 2].to_vec(), "W");
    assert!(
        msg.contains("truncated") || msg.contains("end-of-central-directory"),
        "{msg}"
    );
    assert!(err_of(b"hello world, not a zip at all".to_vec(), "W").contains("not a valid .npz"));
    assert!(err_of(Vec::new(), "W").contains("too short"));

    // A flipped data byte: the CRC check catches it.
    let mut corrupt = good.clone();
    corrupt[200] ^= 0x40;
    assert!(err_of(corrupt, "W").contains("CRC-32"));

    // Missing key: lists what is there.
    let msg = err_of(good.clone(), "X");
    assert!(
        msg.contains("no array 'X'") && msg.contains("batch_size"),
        "{msg}"
    );

    // Bad members inside a valid zip.
    let payload: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not an npy".to_vec(), "bad magic"),
        (
            npy_bytes("<f8", false, &[3], &payload),
            "needs 24 data bytes, the member has 16 (truncated)",
        ),
        (
            npy_bytes("<f8", false, &[1], &payload),
            "needs 8 data bytes, the member has 16",
        ),
        (
            npy_bytes("<c16", false, &[1], &payload),
            "complex dtypes are not supported",
        ),
        (npy_bytes("|O", false, &[2], &payload), "pickles"),
        // A header claiming an absurd size is rejected before any allocation.
        (
            npy_bytes("<f8", false, &[1 << 40, 1 << 30], &payload),
            "overflows",
        ),
        (
            npy_bytes("<f8", false, &[1 << 31, 1 << 20], &payload),
            "needs",
        ),
    ];
    for (bytes, want) in cases {
        let mut w = NpzWriter::new();
        w.add_raw("W.npy", bytes);
        let msg = err_of(w.to_bytes(), "W");
        assert!(
            msg.contains(want) && msg.contains("'W.npy'"),
            "{msg} (wanted {want})"
        );
    }
    let mut w = NpzWriter::new();
    w.add_raw(
        "W.npy",
        b"\x93NUMPY\x01\x00\x20\x00{'descr': [('a', '<f8')], }    \n".to_vec(),
    );
    assert!(err_of(w.to_bytes(), "W").contains("structured"));
    let mut w = NpzWriter::new();
    w.add_raw("W.npy", b"\x93NUMPY\x01\x00\xff\x00{}".to_vec());
    assert!(err_of(w.to_bytes(), "W").contains("extends beyond"));

    // Typed accessors say what they expected.
    let npz = Npz::from_bytes("typed.npz", good).unwrap();
    assert!(matches!(
        npz.i64_scalar("lr"),
        Err(ReleaseError::Type { .. })
    ));
    assert!(matches!(
        npz.f64_array("ints"),
        Err(ReleaseError::Type { .. })
    ));
    assert!(npz
        .f64_scalar("W")
        .unwrap_err()
        .to_string()
        .contains("24 values"));
    assert!(Npz::open("/nonexistent/file.npz")
        .unwrap_err()
        .to_string()
        .starts_with("/nonexistent/file.npz: "));
}

proptest::proptest! {
    /// Random garbage and random single-byte corruptions never panic.
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
                            pos in 0usize..2000, val in proptest::num::u8::ANY) {
        let _ = Npz::from_bytes("g.npz", bytes).map(|n| n.array("W"));
        let mut good = archive(true);
        let p = pos % good.len();
        good[p] = val;
        if let Ok(n) = Npz::from_bytes("g.npz", good) {
            for k in ["W", "ints", "lr", "batch_size"] {
                let _ = n.array(k);
            }
        }
    }
}

fn reference_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    release_data::ts::reference_dir(&root)
}

/// Every released teacher-student file opens, with the documented layout and scalars.
#[test]
#[ignore = "needs the authors' released files: set RMT_SGD_REFERENCE_DATA or run scripts/fetch-reference-data.sh (CI runs it with --ignored)"]
fn released_files_have_the_documented_layout() {
    let dir = reference_dir();
    let configs = release_data::ts::released_configs();
    release_data::ts::available(&dir).unwrap();
    for c in configs {
        let run = release_data::ts::ReleasedRun::open(c.path(&dir)).unwrap();
        assert_eq!(run.shape, vec![3000, 6, 2, 2], "{}", c.stem());
        assert_eq!(run.lr, c.lr);
        assert_eq!(run.noise, c.noise);
        assert_eq!(run.batch_size, c.batch as i64);
        assert_eq!((run.epochs, run.save_int), (10, 2));
        // Snapshots 1-5 are bit-identical (reference-data README).
        for s in [0, 1234, 2999] {
            for k in 2..6 {
                assert_eq!(run.weights(s, k), run.weights(s, 1));
            }
        }
        let npz = Npz::open(c.path(&dir)).unwrap();
        assert!(matches!(npz.array("loss").unwrap().data, Data::F64(_)));
    }
}

/// The input limit (default 1 GiB) and bounded inflation: what a member declares is checked
/// before it is inflated, and it never inflates past its declared size. (The limit is left at
/// its default: tests of one binary share the process.)
#[test]
fn declared_sizes_are_checked_before_inflating() {
    let zeros = vec![0u8; 1 << 20];
    // A header declaring 2 GiB of doubles in a member whose headers declare exactly that: refused
    // at once by the limit, without inflating (the deflate stream holds only 1 MiB).
    let head = npy_bytes("<f8", false, &[1 << 28], &[]);
    let declared = head.len() as u32 + (1u32 << 31);
    let mut stream = head.clone();
    stream.extend_from_slice(&zeros);
    let mut bomb = NpzWriter::new();
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&stream).unwrap();
    bomb.add_declared("W.npy", 8, e.finish().unwrap(), declared, 0);
    let t = std::time::Instant::now();
    let msg = err_of(bomb.to_bytes(), "W");
    assert!(
        msg.contains("input limit") && msg.contains("--max-input-mb"),
        "{msg}"
    );
    assert!(t.elapsed().as_secs_f64() < 1.0);
    // A member that inflates past its declared size is refused (inflation stops there).
    let small = npy_bytes("<f8", false, &[2], &[0u8; 16]);
    let mut big = small.clone();
    big.extend_from_slice(&zeros);
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&big).unwrap();
    let mut w = NpzWriter::new();
    w.add_declared("W.npy", 8, e.finish().unwrap(), small.len() as u32, 0);
    let msg = err_of(w.to_bytes(), "W");
    assert!(msg.contains("inflates to"), "{msg}");
    // A header whose shape disagrees with the member's declared size: refused before inflating.
    let mut w = NpzWriter::new();
    let lying = npy_bytes("<f8", false, &[1000], &[0u8; 16]);
    w.add_deflated("W.npy", &lying);
    let msg = err_of(w.to_bytes(), "W");
    assert!(msg.contains("needs 8000 data bytes"), "{msg}");
    // Deflated members that tell the truth read back.
    let mut w = NpzWriter::new();
    let (shape, data) = known();
    let payload: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
    w.add_deflated("W.npy", &npy_bytes("<f8", false, &shape, &payload));
    let a = Npz::from_bytes("ok.npz", w.to_bytes())
        .unwrap()
        .array("W")
        .unwrap();
    assert_eq!(a.as_f64().unwrap(), &data[..]);
    // A CSV line longer than one sample can be.
    let mut csv = b"1,2\n".to_vec();
    csv.extend(std::iter::repeat_n(
        b'1',
        release_data::table::MAX_LINE_BYTES + 1,
    ));
    let e = release_data::table::parse_csv("long.csv", &csv)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2") && e.contains("above the limit"), "{e}");
}
