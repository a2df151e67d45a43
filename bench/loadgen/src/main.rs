//! Load generator for the sio-rs benchmarks. Speaks Engine.IO v4 / Socket.IO v5 over
//! WebSocket (or HTTP long-polling, for `echo`) itself and multiplexes every connection on
//! one thread. Bounded: it runs for warmup + duration (+ hold) and targets the URL it is
//! given (127.0.0.1 only).
//!
//! Usage: sio-loadgen --scenario echo|broadcast|connect --url ws://127.0.0.1:PORT/socket.io/
//!        [--transport websocket|polling] [--clients N] [--inflight N] [--binary]
//!        [--warmup S] [--duration S] [--hold S] [--dump-rounds]
//!    or: sio-loadgen --scenario probe --duration S   (the speed of the core it runs on)
//! The URL may be given as `http://` too; its scheme follows the transport.
//! Prints one JSON object with the scenario's figures, last; before it, lines telling the
//! runner where it is (`HOLD n` in `connect`, `WINDOW start` and `WINDOW end` around what
//! `echo` and `broadcast` measure). `--dump-rounds` also prints each measured `broadcast`
//! round to stderr (`ROUND ms-into-the-window latency-µs`), to see when the slow ones come.

mod broadcast;
mod conn;
mod connect;
mod echo;
mod member;
mod polling;
mod probe;
mod stats;
mod window;

use std::time::Duration;

pub struct Args {
    scenario: String,
    url: String,
    /// HTTP long-polling instead of WebSocket (`echo` only).
    polling: bool,
    clients: usize,
    inflight: usize,
    binary: bool,
    /// Each measured broadcast round's time and latency on stderr.
    dump_rounds: bool,
    warmup: Duration,
    duration: Duration,
    hold: Duration,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        scenario: String::new(),
        url: String::new(),
        polling: false,
        clients: 50,
        inflight: 1,
        binary: false,
        dump_rounds: false,
        warmup: Duration::from_secs(2),
        duration: Duration::from_secs(5),
        hold: Duration::from_secs(10),
    };
    let mut items = std::env::args().skip(1);
    while let Some(flag) = items.next() {
        // Flags without a value.
        let switch = match flag.as_str() {
            "--binary" => Some(&mut args.binary),
            "--dump-rounds" => Some(&mut args.dump_rounds),
            _ => None,
        };
        if let Some(switch) = switch {
            *switch = true;
            continue;
        }
        let value = items.next().ok_or(format!("{flag} needs a value"))?;
        let seconds = |v: &str| {
            v.parse::<f64>()
                .map(Duration::from_secs_f64)
                .map_err(|e| e.to_string())
        };
        match flag.as_str() {
            "--scenario" => args.scenario = value,
            "--url" => args.url = value,
            "--transport" => {
                args.polling = match value.as_str() {
                    "websocket" => false,
                    "polling" => true,
                    _ => return Err(format!("unknown transport {value:?}")),
                }
            }
            "--clients" => args.clients = value.parse().map_err(|e| format!("{e}"))?,
            "--inflight" => args.inflight = value.parse().map_err(|e| format!("{e}"))?,
            "--warmup" => args.warmup = seconds(&value)?,
            "--duration" => args.duration = seconds(&value)?,
            "--hold" => args.hold = seconds(&value)?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if args.scenario == "probe" {
        return Ok(args);
    }
    // 127.0.0.1 only; the URL's scheme follows the transport.
    let rest = ["ws://", "http://"]
        .iter()
        .find_map(|scheme| args.url.strip_prefix(scheme));
    let Some(rest) = rest.filter(|r| r.starts_with("127.0.0.1:") || r.starts_with("localhost:"))
    else {
        return Err("the load generator only targets ws://127.0.0.1 (or http://127.0.0.1)".into());
    };
    args.url = format!("{}://{rest}", if args.polling { "http" } else { "ws" });
    if args.polling && args.scenario != "echo" {
        return Err("--transport polling is only for the echo scenario".into());
    }
    Ok(args)
}

fn main() {
    let result = parse().and_then(|args| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async {
            match args.scenario.as_str() {
                "echo" => echo::run(&args).await,
                "broadcast" => broadcast::run(&args).await,
                "connect" => connect::run(&args).await,
                // Blocking, with nothing else on this runtime.
                "probe" => Ok(probe::run(args.duration)),
                other => Err(format!("unknown scenario {other:?}")),
            }
        })
    });
    match result {
        Ok(mut value) => {
            value["loadgen_cpu_s"] = window::own_cpu_seconds().into();
            println!("{value}")
        }
        Err(error) => {
            println!("{}", serde_json::json!({ "error": error }));
            std::process::exit(1);
        }
    }
}
