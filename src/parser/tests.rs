use bytes::Bytes;

use super::*;

fn ok(text: &str) -> Packet<'_> {
    decode(text).unwrap_or_else(|error| panic!("{text:?}: {error:?}"))
}

#[test]
fn decodes_the_reference_wire_examples() {
    let connect = ok("0");
    assert_eq!(
        (connect.kind, connect.nsp, connect.data),
        (PacketType::Connect, "/", None)
    );
    let auth = ok(r#"0/admin,{"token":"123"}"#);
    assert_eq!(
        (auth.nsp, auth.data),
        ("/admin", Some(r#"{"token":"123"}"#))
    );
    let event = ok(r#"2["hey","Jude"]"#);
    assert_eq!(
        (event.kind, event.id, event.data),
        (PacketType::Event, None, Some(r#"["hey","Jude"]"#))
    );
    let with_ack = ok(r#"2/admin,456["ev"]"#);
    assert_eq!((with_ack.nsp, with_ack.id), ("/admin", Some(456)));
    let ack = ok(r#"3456[]"#);
    assert_eq!(
        (ack.kind, ack.id, ack.data),
        (PacketType::Ack, Some(456), Some("[]"))
    );
    let binary = ok(r#"51-["hello",{"_placeholder":true,"num":0}]"#);
    assert_eq!(
        (binary.kind, binary.attachments),
        (PacketType::BinaryEvent, 1)
    );
    let binary_ack = ok(r#"61-/admin,789[{"_placeholder":true,"num":0}]"#);
    assert_eq!(
        (binary_ack.nsp, binary_ack.id, binary_ack.attachments),
        ("/admin", Some(789), 1)
    );
    let disconnect = ok("1/admin,");
    assert_eq!(
        (disconnect.kind, disconnect.nsp, disconnect.data),
        (PacketType::Disconnect, "/admin", None)
    );
    assert_eq!(ok("1/admin").nsp, "/admin");
    assert_eq!(
        ok(r#"2[42,"numeric event"]"#).data,
        Some(r#"[42,"numeric event"]"#)
    );
    // The count is read as JavaScript's `Number()` reads it.
    for (count, attachments) in [
        (" 2 ", 2),
        ("2.0", 2),
        ("2e0", 2),
        ("+2", 2),
        ("0x2", 2),
        ("0b10", 2),
        ("10", 10),
    ] {
        assert_eq!(
            ok(&format!("5{count}-[\"x\"]")).attachments,
            attachments,
            "{count:?}"
        );
    }
}

#[test]
fn refuses_what_the_reference_refuses() {
    use DecodeError::*;
    let cases = [
        ("", UnknownType(None)),
        ("7", UnknownType(Some(b'7'))),
        ("abc", UnknownType(Some(b'a'))),
        ("é", UnknownType(Some(0xc3))),
        ("2{}", InvalidPayload),
        ("2abc[\"x\"]", InvalidPayload),
        ("2[]", InvalidPayload),
        ("2[{}]", InvalidPayload),
        ("2[null]", InvalidPayload),
        ("2[\"connect\"]", InvalidPayload),
        ("2[\"disconnecting\",1]", InvalidPayload),
        ("2[\"newListener\"]", InvalidPayload),
        ("2[\"\\u0063onnect\"]", InvalidPayload),
        ("2[true,1]", InvalidPayload),
        ("2[\"a\"]x", InvalidPayload),
        ("2[\"a\",{\"b\":[1,}]", InvalidPayload),
        ("0[]", InvalidPayload),
        ("0null", InvalidPayload),
        ("0\"x\"", InvalidPayload),
        ("1{}", InvalidPayload),
        ("3{}", InvalidPayload),
        ("4[]", InvalidPayload),
        ("2[\"a\"", InvalidPayload),
        ("51[\"a\"]", IllegalAttachments),
        ("5x-[\"a\"]", IllegalAttachments),
        ("5-1-[\"a\"]", IllegalAttachments),
        ("5-[\"a\"]", IllegalAttachments),
        ("50-[\"a\"]", IllegalAttachments),
        ("51.5-[\"a\"]", IllegalAttachments),
        ("5+-[\"a\"]", IllegalAttachments),
        ("5inf-[\"a\"]", IllegalAttachments),
        ("50x-[\"a\"]", IllegalAttachments),
        ("50x+1-[\"a\"]", IllegalAttachments),
        ("51e400-[\"a\"]", IllegalAttachments),
        (
            "50xfffffffffffffffffffffffffffffffff-[\"a\"]",
            TooManyAttachments,
        ),
        ("511-[\"a\"]", TooManyAttachments),
        ("599999999999999999999999-[\"a\"]", TooManyAttachments),
        ("2999999999999999999999999[\"a\"]", InvalidPayload),
    ];
    for (text, error) in cases {
        assert_eq!(decode(text), Err(error), "{text:?}");
    }
    // "error" is not reserved on the receiving side.
    assert!(decode(r#"2["error"]"#).is_ok());
    // Numeric names are the reference's too; escaped names are compared decoded.
    assert!(decode(r#"2[42,"x"]"#).is_ok());
    assert!(decode(r#"2[-1.5e3]"#).is_ok());
    assert!(decode(r#"2["\u0063hat",{"a":[1,{"b":null}]},[]]"#).is_ok());
    assert!(decode(r#"4"oops""#).is_ok());
    assert!(decode(r#"4{"message":"x"}"#).is_ok());
}

#[test]
fn encodes_headers() {
    let header = |kind, nsp, attachments, id| {
        let mut out = String::new();
        encode_header(&mut out, kind, nsp, attachments, id);
        assert_eq!(header_len(kind, nsp, attachments, id), out.len(), "{out}");
        out
    };
    assert_eq!(header(PacketType::Event, "/", 0, None), "2");
    assert_eq!(header(PacketType::Event, "/chat", 0, Some(7)), "2/chat,7");
    assert_eq!(header(PacketType::BinaryAck, "/", 2, Some(0)), "62-0");
    assert_eq!(header(PacketType::ConnectError, "/x", 0, None), "4/x,");
    assert_eq!(header(PacketType::BinaryEvent, "/", 10, Some(99)), "510-99");
    assert_eq!(header(PacketType::Ack, "/", 0, Some(100)), "3100");
    assert_eq!(
        header(PacketType::Ack, "/", 0, Some(u64::MAX)),
        "318446744073709551615"
    );
}

#[test]
fn reassembles_binary_packets_and_checks_placeholders() {
    let packet = ok(r#"52-1["a",{"_placeholder":true,"num":1},[{"_placeholder":true,"num":0}]]"#);
    let mut reassembly = Reassembly::new(&packet);
    assert_eq!(reassembly.kind, PacketType::Event);
    assert!(!reassembly.is_complete());
    reassembly.push(Bytes::from_static(b"x")).unwrap();
    reassembly.push(Bytes::from_static(b"y")).unwrap();
    assert!(reassembly.is_complete());
    for bad in [
        r#"51-["a",{"_placeholder":true,"num":1}]"#,
        r#"51-["a",{"_placeholder":true,"num":-1}]"#,
        r#"51-["a",{"_placeholder":true,"num":"0"}]"#,
        r#"51-["a",{"_placeholder":true}]"#,
    ] {
        let mut reassembly = Reassembly::new(&ok(bad));
        assert_eq!(
            reassembly.push(Bytes::new()),
            Err(DecodeError::IllegalPlaceholder),
            "{bad}"
        );
    }
    // A fraction in range passes, as in the reference (the value is then `undefined`).
    let fraction = ok(r#"51-["a",{"_placeholder":true,"num":0.5}]"#);
    assert!(Reassembly::new(&fraction).push(Bytes::new()).is_ok());
    let not_a_placeholder = ok(r#"51-["a",{"_placeholder":"yes","num":9}]"#);
    assert!(Reassembly::new(&not_a_placeholder)
        .push(Bytes::new())
        .is_ok());
}
