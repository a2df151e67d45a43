//! Adopting a TCP connection accepted by Node: Rust takes a duplicate of its file
//! descriptor, so Node can destroy its own handle while the connection stays open.

use std::io;

#[cfg(unix)]
pub fn adopt_tcp(fd: i32) -> io::Result<tokio::net::TcpStream> {
    use std::os::fd::{AsRawFd, BorrowedFd};
    if fd < 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "invalid file descriptor",
        ));
    }
    // SAFETY: the descriptor is Node's socket handle, which JS destroys only after this
    // call returns.
    let node_socket = unsafe { BorrowedFd::borrow_raw(fd) };
    let duplicate = node_socket.try_clone_to_owned()?;
    super::descriptors::reserve_beyond(duplicate.as_raw_fd());
    let stream = std::net::TcpStream::from(duplicate);
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
