//! Adopting a TCP connection accepted by Node: Rust takes a duplicate of its file
//! descriptor, so Node can destroy its own handle while the connection stays open.

use std::io;

#[cfg(unix)]
pub fn adopt_tcp(fd: i32) -> io::Result<tokio::net::TcpStream> {
    use std::os::fd::FromRawFd;
    if fd < 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "invalid file descriptor",
        ));
    }
    // SAFETY: fcntl only reads the descriptor number; a bad one yields an error.
    let duplicate = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if duplicate < 0 {
        return Err(io::Error::last_os_error());
    }
    super::descriptors::reserve_beyond(duplicate);
    // SAFETY: `duplicate` is a fresh descriptor that nothing else owns.
    let stream = unsafe { std::net::TcpStream::from_raw_fd(duplicate) };
    stream.set_nonblocking(true)?;
    tokio::net::TcpStream::from_std(stream)
}

#[cfg(not(unix))]
pub fn adopt_tcp(_fd: i32) -> io::Result<tokio::net::TcpStream> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "file descriptor adoption needs a Unix system",
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn adopted_stream_outlives_the_original_descriptor() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
        let (original, _) = listener.accept().unwrap();
        let mut adopted = adopt_tcp(original.as_raw_fd()).unwrap();
        drop(original);
        client.write_all(b"ping").await.unwrap();
        let mut buffer = [0u8; 4];
        adopted.read_exact(&mut buffer).await.unwrap();
        assert_eq!(&buffer, b"ping");
        adopted.write_all(b"pong").await.unwrap();
        client.read_exact(&mut buffer).await.unwrap();
        assert_eq!(&buffer, b"pong");
    }

    #[tokio::test]
    async fn rejects_invalid_descriptors() {
        assert!(adopt_tcp(-1).is_err());
        assert!(adopt_tcp(999_999).is_err());
    }
}
