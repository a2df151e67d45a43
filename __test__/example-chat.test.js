'use strict';

// The chat example in a real browser: headless Chromium (Debian's package) driven by
// playwright-core, two users in one room, over the served client bundle.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const path = require('node:path');

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);

describe('examples/chat in Chromium', { skip: !haveChromium && !process.env.CI && 'no /usr/bin/chromium' }, () => {
  let server;
  let browser;
  const port = 3000 + Math.floor(Math.random() * 1000) + 1000;

  before(async () => {
    server = spawn(process.execPath, [path.join(__dirname, '..', 'examples', 'chat', 'server.js'), String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => server.stdout.once('data', resolve));
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    server?.kill();
  });

  async function user(nickname) {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('connected'));
    await page.fill('#nickname', nickname);
    await page.click('#nickname-form button');
    await page.waitForSelector(`text=you are ${nickname}`);
    await page.fill('#room', 'lobby');
    await page.click('#room-form button');
    await page.waitForSelector('text=joined lobby');
    return page;
  }

  it('lets two users chat in a room', async () => {
    const ada = await user('ada');
    const bob = await user('bob');
    await ada.waitForSelector('text=bob joined');
    await bob.fill('#message', 'hello ada');
    await bob.click('#message-form button');
    await ada.waitForSelector('text=bob: hello ada');
    await ada.fill('#message', 'hi bob ✓');
    await ada.click('#message-form button');
    await bob.waitForSelector('text=ada: hi bob ✓');
    const status = await ada.textContent('#status');
    assert.match(status, /^connected \((polling|websocket)\)$/);
    const roster = await bob.textContent('#log');
    assert.match(roster, /joined lobby with (ada, bob|bob, ada)/);
    await bob.close();
    await ada.waitForSelector('text=bob left');
  });
});
