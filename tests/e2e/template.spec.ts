import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { cliTokens, cliTokensForMessages } from '../fixtures/tokens-cli';
import { testModel } from '../fixtures/test-models';
import { expect, lastAssistant, promptTokens, sendMessage, test, waitForReady } from './fixtures';


test.describe('the template panel proves the prompt token by token', () => {
  test('the default model passes the three model-card asserts', async ({ page }) => {
    await page.goto('/?panel=template');
    await waitForReady(page);
    const check = page.getByTestId('template-check');
    await expect(check).toHaveAttribute('data-status', 'pass');
    await expect(check).toHaveAttribute('data-passed', '3');
    await expect(check).toHaveAttribute('data-total', '3');
    await expect(page.getByTestId('embedded-template')).toHaveAttribute('data-status', 'match');
  });

  test('a sent prompt has the command-line tokenizer’s ids and the engine’s count', async ({ page }) => {
    await page.goto('/?panel=template');
    await waitForReady(page);
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');

    const expected = cliTokensForMessages(testModel('demo').path, [{ role: 'user', content: 'Hello' }]);
    expect(expected).toEqual([1, 420, 6316, 28781, 3198, 3123, 1247, 28747, 22557, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747]);
    const tokens = page.getByTestId('prompt-tokens');
    expect(await promptTokens(page)).toEqual(expected);
    await expect(tokens).toHaveAttribute('data-engine-count', String(expected.length));
    await expect(page.getByTestId('prompt-text')).toHaveText('GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:');
    await expect(page.getByTestId('prompt-text').locator('mark')).toHaveText(['<|end_of_turn|>']);
    await expect(page.getByTestId('prompt-token')).toHaveCount(expected.length);
    await expect(page.getByTestId('token-mismatch')).toHaveCount(0);

    // Second turn: the whole history, rendered and tokenized as one string.
    await sendMessage(page, 'How are you today?');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    const history = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: DEMO_REPLY },
      { role: 'user', content: 'How are you today?' },
    ];
    const expected2 = cliTokensForMessages(testModel('demo').path, history);
    expect(await promptTokens(page)).toEqual(expected2);
    await expect(tokens).toHaveAttribute('data-engine-count', String(expected2.length));
  });

  test('coding mode and a system message are sent exactly as shown', async ({ page }) => {
    await page.goto('/?panel=template');
    await waitForReady(page);
    await page.getByTestId('coding-mode').check();
    await page.getByTestId('system-prompt').fill('You write C++.');
    await sendMessage(page, 'Implement quicksort using C++');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('prompt-text')).toHaveText(
      'You write C++.<|end_of_turn|>Code User: Implement quicksort using C++<|end_of_turn|>Code Assistant:',
    );
    const expected = cliTokensForMessages(
      testModel('demo').path,
      [
        { role: 'system', content: 'You write C++.' },
        { role: 'user', content: 'Implement quicksort using C++' },
      ],
      ['--coding'],
    );
    expect(await promptTokens(page)).toEqual(expected);
    await expect(page.getByTestId('prompt-tokens')).toHaveAttribute('data-engine-count', String(expected.length));
  });

  test('an embedded "GPT4 User:" template is flagged as not Starling’s', async ({ page, modelServer }) => {
    await page.goto(`/?panel=template&model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.demoOldTemplate.file}`)}`);
    await waitForReady(page);
    await expect(page.getByTestId('embedded-template')).toHaveAttribute('data-status', 'old-format');
    await expect(page.getByTestId('embedded-template')).toContainText('GPT4 User:');
    await expect(page.getByTestId('template-check')).toHaveAttribute('data-status', 'pass');
  });

  test('a GGUF whose EOS is </s> still stops at <|end_of_turn|>', async ({ page, modelServer }) => {
    await page.goto(`/?panel=template&model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.demoNoEot.file}`)}`);
    await waitForReady(page);
    await expect(page.getByTestId('panel-template')).toContainText('does not mark <|end_of_turn|> as end-of-generation');
    await expect(page.getByTestId('embedded-template')).toHaveAttribute('data-status', 'absent');
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
    await expect(page.getByTestId('gen-stats')).toHaveAttribute('data-gen-tokens', '46');
  });

  test('a StarChat-style model gets the StarChat template, stops on <|end|>, and the card check is n/a', async ({ page, modelServer }) => {
    await page.goto(`/?panel=template&model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.starchat.file}`)}`);
    await waitForReady(page);
    await expect(page.getByTestId('template-select')).toHaveValue('starchat');
    await expect(page.getByTestId('template-check')).toHaveAttribute('data-status', 'n/a');
    await expect(page.getByTestId('embedded-template')).toHaveAttribute('data-status', 'match');
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.starchat.reply);
    await expect(page.getByTestId('prompt-text')).toHaveText('<|system|>\n<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>');
    const expected = cliTokensForMessages(testModel('starchat').path, [{ role: 'user', content: 'Hello' }], ['--template', 'starchat']);
    expect(await promptTokens(page)).toEqual(expected);
    await expect(page.getByTestId('prompt-tokens')).toHaveAttribute('data-engine-count', String(expected.length));
    await expect(page.getByTestId('token-mismatch')).toHaveCount(0);
  });

  test('raw mode sends the message exactly as typed', async ({ page }) => {
    await page.goto('/?panel=template');
    await waitForReady(page);
    await page.getByTestId('template-select').selectOption('raw');
    await sendMessage(page, 'Once upon a time');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('prompt-text')).toHaveText('Once upon a time');
    expect(await promptTokens(page)).toEqual(cliTokens(['--gguf', testModel('demo').path, '--text', 'Once upon a time']));
  });
});
