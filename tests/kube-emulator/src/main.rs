//! Serves the emulator until interrupted; writes a kubeconfig for it.
//! Usage: kube-emulator [KUBECONFIG_PATH]

fn main() {
    let emu = kube_emulator::Emulator::start();
    let path = std::env::args().nth(1).unwrap_or_else(|| "kube-emulator.kubeconfig".into());
    std::fs::write(&path, emu.kubeconfig()).expect("write kubeconfig");
    println!("serving {} (kubeconfig: {path})", emu.url);
    loop {
        std::thread::park();
    }
}
