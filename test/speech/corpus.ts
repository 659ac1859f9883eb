/**
 * A labelled corpus of tricky English passages for the speech chunker, written for these tests.
 *
 * Each passage lists the segments a careful human would hand to a voice, one per sentence, in the
 * normalized form the chunker emits (markdown gone, symbols spoken, "$5" → "5 dollars"). A list
 * item, heading or paragraph line is a sentence of its own and gets a period if it has none.
 * Labels say what SHOULD happen, not what the chunker happens to do: a few passages are known hard
 * cases for one-character lookahead (marked `hard`) and may fail.
 */

export interface Passage {
  topic: string;
  text: string;
  sentences: string[];
  /** A case the chunker's documented rules are expected to get wrong. */
  hard?: boolean;
}

const corpus: Passage[] = [];
const group = (topic: string, items: [text: string, ...sentences: string[]][], hard = false) => {
  for (const [text, ...sentences] of items) corpus.push({ topic, text, sentences, ...(hard ? { hard } : {}) });
};

group('titles', [
  ['Mr. Smith went to Washington. He stayed a week.', 'Mr. Smith went to Washington.', 'He stayed a week.'],
  ['Mrs. Jones called. She wants a table for two.', 'Mrs. Jones called.', 'She wants a table for two.'],
  ['Dr. Patel will see you at noon. Please arrive early.', 'Dr. Patel will see you at noon.', 'Please arrive early.'],
  ['Ask Prof. Lee about the exam. She wrote it.', 'Ask Prof. Lee about the exam.', 'She wrote it.'],
  ['Ms. Garcia and Mr. Chen are both in the lab. They are running tests.', 'Ms. Garcia and Mr. Chen are both in the lab.', 'They are running tests.'],
  ['The church is on St. Mary Street. Mass starts at ten.', 'The church is on St. Mary Street.', 'Mass starts at ten.'],
  ['Mt. Everest is the tallest mountain. K2 is second.', 'Mt. Everest is the tallest mountain.', 'K2 is second.'],
  ['Gen. Grant won the battle. Lincoln was pleased.', 'Gen. Grant won the battle.', 'Lincoln was pleased.'],
  ['I spoke with Dr. Amy Wu yesterday. She sends her regards.', 'I spoke with Dr. Amy Wu yesterday.', 'She sends her regards.'],
  ['Rev. Martin Luther King Jr. gave the speech in 1963. Millions heard it.', 'Rev. Martin Luther King Jr. gave the speech in 1963.', 'Millions heard it.'],
  ['Sen. Warren spoke first. Rep. Cole replied.', 'Sen. Warren spoke first.', 'Rep. Cole replied.'],
  ['The case was Brown vs. Board of Education. It changed schools forever.', 'The case was Brown vs. Board of Education.', 'It changed schools forever.'],
  ['Capt. Hook lost a hand. The crocodile got it.', 'Capt. Hook lost a hand.', 'The crocodile got it.'],
  ['Our doctor is Dr. Mills. She is very kind.', 'Our doctor is Dr. Mills.', 'She is very kind.'],
]);

group('abbreviations', [
  ['Bring fruit, e.g. apples or pears. Anything fresh works.', 'Bring fruit, e.g. apples or pears.', 'Anything fresh works.'],
  ['Use a strong password, i.e. one with symbols. Change it often.', 'Use a strong password, i.e. one with symbols.', 'Change it often.'],
  ['Pack shirts, socks, etc. and a toothbrush. Leave the laptop.', 'Pack shirts, socks, etc. and a toothbrush.', 'Leave the laptop.'],
  ['We need eggs, milk, flour, etc. The store closes soon.', 'We need eggs, milk, flour, etc.', 'The store closes soon.'],
  ['It weighs approx. 5 kilograms. Lift with care.', 'It weighs approx. 5 kilograms.', 'Lift with care.'],
  ['See Fig. 3 for the wiring. It shows every pin.', 'See Fig. 3 for the wiring.', 'It shows every pin.'],
  ['Call No. 5 is the one you want. It rings twice.', 'Call No. 5 is the one you want.', 'It rings twice.'],
  ['The answer is no. Try again tomorrow.', 'The answer is no.', 'Try again tomorrow.'],
  ['She works at Acme Inc. They make rockets.', 'She works at Acme Inc.', 'They make rockets.'],
  ['Smith et al. found the same result. Nobody was surprised.', 'Smith et al. found the same result.', 'Nobody was surprised.'],
  ['Compare this with cf. chapter two. The argument is similar.', 'Compare this with cf. chapter two.', 'The argument is similar.'],
  ['The meeting is on Jan. 5 this year. Put it in your calendar.', 'The meeting is on Jan. 5 this year.', 'Put it in your calendar.'],
  ['Visit the U.S.A. in spring. The parks are beautiful then.', 'Visit the U.S.A. in spring.', 'The parks are beautiful then.'],
  ['She moved to the U.K. Her brother followed a year later.', 'She moved to the U.K.', 'Her brother followed a year later.'],
  ['He has a Ph.D. in chemistry. He teaches at the college.', 'He has a Ph.D. in chemistry.', 'He teaches at the college.'],
  ['The U.S. economy grew last year. Inflation fell.', 'The U.S. economy grew last year.', 'Inflation fell.'],
  ['Tom Jones Sr. and Tom Jones Jr. both came. They look alike.', 'Tom Jones Sr. and Tom Jones Jr. both came.', 'They look alike.'],
  ['The box is 6 ft. tall and very heavy. Get help to move it.', 'The box is 6 ft. tall and very heavy.', 'Get help to move it.'],
  ['The recipe needs 2 lbs. of flour. Sift it first.', 'The recipe needs 2 lbs. of flour.', 'Sift it first.'],
  ['Read vol. 2 before vol. 3. The story continues there.', 'Read vol. 2 before vol. 3.', 'The story continues there.'],
]);

group('initials', [
  ['J. R. R. Tolkien wrote The Hobbit. It came out in 1937.', 'J. R. R. Tolkien wrote The Hobbit.', 'It came out in 1937.'],
  ['George R. R. Martin is still writing. Fans are waiting.', 'George R. R. Martin is still writing.', 'Fans are waiting.'],
  ['The book is by E. B. White. Charlotte is a spider.', 'The book is by E. B. White.', 'Charlotte is a spider.'],
  ['John F. Kennedy was president. He was elected in 1960.', 'John F. Kennedy was president.', 'He was elected in 1960.'],
  ['C. S. Lewis and J. K. Rowling both wrote for children. Their books still sell.', 'C. S. Lewis and J. K. Rowling both wrote for children.', 'Their books still sell.'],
  ['Ask H. G. Wells about time travel. He has theories.', 'Ask H. G. Wells about time travel.', 'He has theories.'],
  ['The letter was signed A. Lincoln. It is in a museum now.', 'The letter was signed A. Lincoln.', 'It is in a museum now.'],
  ['Franklin D. Roosevelt gave fireside chats. People listened on the radio.', 'Franklin D. Roosevelt gave fireside chats.', 'People listened on the radio.'],
]);

group('numbers', [
  ['Pi is about 3.14159. Most people remember 3.14.', 'Pi is about 3.14159.', 'Most people remember 3.14.'],
  ['The score was 3.5 out of 5. Not bad at all.', 'The score was 3.5 out of 5.', 'Not bad at all.'],
  ['Version 2.1.3 fixed the bug. Update today.', 'Version 2.1.3 fixed the bug.', 'Update today.'],
  ['The population is 8.1 billion. It keeps growing.', 'The population is 8.1 billion.', 'It keeps growing.'],
  ['I counted 42. There may be more.', 'I counted 42.', 'There may be more.'],
  ['The year was 1969. Men walked on the moon.', 'The year was 1969.', 'Men walked on the moon.'],
  ['It is 0.5 miles away. You can walk.', 'It is 0.5 miles away.', 'You can walk.'],
  ['We sold 1,250,000 copies. That is a record.', 'We sold 1,250,000 copies.', 'That is a record.'],
  ['The ratio is 16:9. Most screens use it.', 'The ratio is 16:9.', 'Most screens use it.'],
  ['Chapter 11 begins on page 200. Read it tonight.', 'Chapter 11 begins on page 200.', 'Read it tonight.'],
  ['Add 2+2 and you get 4. Simple.', 'Add 2 plus 2 and you get 4.', 'Simple.'],
  ['It grew by 12.5% last year. Analysts expected 10%.', 'It grew by 12.5 percent last year.', 'Analysts expected 10 percent.'],
  ['Multiply 6*7 to get 42. That is the answer.', 'Multiply 6 times 7 to get 42.', 'That is the answer.'],
  ['The temperature is -5 degrees. Wear a coat.', 'The temperature is -5 degrees.', 'Wear a coat.'],
  ['She finished 1st. Her sister came 2nd.', 'She finished 1st.', 'Her sister came 2nd.'],
  ['That was the 3rd time this week. I am tired.', 'That was the 3rd time this week.', 'I am tired.'],
  ['It lasted from 1990–2000. Then it ended.', 'It lasted from 1990 to 2000.', 'Then it ended.'],
  ['About ~30 people came. The room was full.', 'About about 30 people came.', 'The room was full.'],
  ['The answer is 7. 8 is wrong.', 'The answer is 7.', '8 is wrong.'],
  ['We ranked #1 in the region. Everyone celebrated.', 'We ranked number 1 in the region.', 'Everyone celebrated.'],
]);

group('money', [
  ['The ticket costs $100.00. Tax is included.', 'The ticket costs 100 dollars.', 'Tax is included.'],
  ['Coffee is $3.50 here. It was $3 last year.', 'Coffee is 3 dollars and 50 cents here.', 'It was 3 dollars last year.'],
  ['They raised $1.5 million. The school is thrilled.', 'They raised 1.5 million dollars.', 'The school is thrilled.'],
  ['Lunch was $12.99. Dinner was more.', 'Lunch was 12 dollars and 99 cents.', 'Dinner was more.'],
  ['It costs €20 in Paris. In London it is £18.', 'It costs 20 euros in Paris.', 'In London it is 18 pounds.'],
  ['The house sold for $450,000. That is above asking.', 'The house sold for 450,000 dollars.', 'That is above asking.'],
  ['A stamp costs $1. A letter needs two.', 'A stamp costs 1 dollar.', 'A letter needs two.'],
  ['Her salary is $85k. She wants a raise.', 'Her salary is 85 thousand dollars.', 'She wants a raise.'],
  ['The fee is $0.99 per song. Albums are cheaper.', 'The fee is 0 dollars and 99 cents per song.', 'Albums are cheaper.'],
  ['Tickets are £2.50 each. Children go free.', 'Tickets are 2 pounds and 50 pence each.', 'Children go free.'],
  ['Save $5. Spend it wisely.', 'Save 5 dollars.', 'Spend it wisely.'],
  ['The budget is $2 billion. Congress must approve it.', 'The budget is 2 billion dollars.', 'Congress must approve it.'],
]);

group('times', [
  ['The train leaves at 5:30. Do not be late.', 'The train leaves at 5:30.', 'Do not be late.'],
  ['We open at 9 a.m. and close at 5 p.m. every day.', 'We open at 9 a.m. and close at 5 p.m. every day.'],
  ['The show starts at 8 p.m. Doors open an hour earlier.', 'The show starts at 8 p.m.', 'Doors open an hour earlier.'],
  ['Wake me at 6 a.m. tomorrow. I have a flight.', 'Wake me at 6 a.m. tomorrow.', 'I have a flight.'],
  ['Meet me at 10:45. The cafe is on the corner.', 'Meet me at 10:45.', 'The cafe is on the corner.'],
  ['The store closes at 9 P.M. on Sundays. Plan ahead.', 'The store closes at 9 P.M. on Sundays.', 'Plan ahead.'],
  ['It finished at 11:59:59. Just in time.', 'It finished at 11:59:59.', 'Just in time.'],
  ['Your alarm is set for 7 a.m. Sleep well.', 'Your alarm is set for 7 a.m.', 'Sleep well.'],
  ['The call is at 3pm. Bring your notes.', 'The call is at 3pm.', 'Bring your notes.'],
  ['Lunch runs from 12:00 to 1:30. Eat well.', 'Lunch runs from 12:00 to 1:30.', 'Eat well.'],
  ['The timer reads 05:00. Start now.', 'The timer reads 05:00.', 'Start now.'],
  ['We arrived at 5 p.m. 6 people were already there.', 'We arrived at 5 p.m. 6 people were already there.'],
]);

group('lists', [
  ['Here is the plan:\n1. Preheat the oven.\n2. Mix the batter.\n3. Bake for 20 minutes.', 'Here is the plan:', '1. Preheat the oven.', '2. Mix the batter.', '3. Bake for 20 minutes.'],
  ['Shopping list:\n- Eggs\n- Milk\n- Bread', 'Shopping list:', 'Eggs.', 'Milk.', 'Bread'],
  ['You need three things:\n* a tent\n* a stove\n* a map', 'You need three things:', 'a tent.', 'a stove.', 'a map'],
  ['1. First, read the manual. 2. Then plug it in.', '1. First, read the manual.', '2. Then plug it in.'],
  ['Steps: 1. Open the lid. 2. Pour the water.', 'Steps: 1. Open the lid.', '2. Pour the water.'],
  ['Options:\n+ Fast shipping\n+ Gift wrap', 'Options:', 'Fast shipping.', 'Gift wrap'],
  ['Top three:\n1) Paris\n2) Rome\n3) Tokyo', 'Top three:', '1) Paris.', '2) Rome.', '3) Tokyo'],
  ['- Water the plants. They are dry.\n- Feed the cat.', 'Water the plants.', 'They are dry.', 'Feed the cat.'],
  ['10. Last item on the list.\n11. Bonus item.', '10. Last item on the list.', '11. Bonus item.'],
  ['To do:\n  - Call mom\n  - Pay rent', 'To do:', 'Call mom.', 'Pay rent'],
  ['Remember: 2. is not the same as 2.5. Check twice.', 'Remember: 2. is not the same as 2.5.', 'Check twice.'],
  ['• Apples are red.\n• Bananas are yellow.', 'Apples are red.', 'Bananas are yellow.'],
]);

group('quotes', [
  ['He said "Stop. Now." and left.', 'He said "Stop. Now." and left.'],
  ['She said "Hello." Then she left.', 'She said "Hello."', 'Then she left.'],
  ['"Wait!" he shouted. Nobody listened.', '"Wait!" he shouted.', 'Nobody listened.'],
  ['"Are you sure?" she asked. I nodded.', '"Are you sure?" she asked.', 'I nodded.'],
  ['The sign read "Closed. Come back later." We went home.', 'The sign read "Closed. Come back later."', 'We went home.'],
  ['“It is late. Go to bed,” Mom said. I did.', '“It is late. Go to bed,” Mom said.', 'I did.'],
  ['He yelled “Run!” We ran.', 'He yelled “Run!”', 'We ran.'],
  ['The note said: "Back in 5 minutes. Wait here." So we waited.', 'The note said: "Back in 5 minutes. Wait here."', 'So we waited.'],
  ["She called it 'the best day ever.' I agree.", "She called it 'the best day ever.'", 'I agree.'],
  ['The TV is 55" wide. It fits the wall.', 'The TV is 55" wide.', 'It fits the wall.'],
  ['"No," he said. "Not today."', '"No," he said.', '"Not today."'],
  ['They called it "smart." It was not.', 'They called it "smart."', 'It was not.'],
]);

group('parentheses', [
  ['Bring a coat (it gets cold. Really cold.) and boots.', 'Bring a coat (it gets cold. Really cold.) and boots.'],
  ['The museum is free (donations welcome). It opens at ten.', 'The museum is free (donations welcome).', 'It opens at ten.'],
  ['He left early. (He was tired.) We stayed.', 'He left early.', '(He was tired.)', 'We stayed.'],
  ['Use the red cable (not the blue one). It carries power.', 'Use the red cable (not the blue one).', 'It carries power.'],
  ['The result (see Table 2. It has the details.) surprised us.', 'The result (see Table 2. It has the details.) surprised us.'],
  ['Add salt [about 1 tsp. or so] to taste. Stir well.', 'Add salt about 1 tsp. or so to taste.', 'Stir well.'],
  ['Water boils at 100°C (212°F). That is at sea level.', 'Water boils at 100 degrees Celsius (212 degrees Fahrenheit).', 'That is at sea level.'],
  ['Prices rose (about 3%). Wages did not.', 'Prices rose (about 3 percent).', 'Wages did not.'],
]);

group('urls', [
  ['Visit https://example.com/docs for more. It has guides.', 'Visit example.com/docs for more.', 'It has guides.'],
  ['The site is www.example.org. Bookmark it.', 'The site is www.example.org.', 'Bookmark it.'],
  ['Go to example.com. Then log in.', 'Go to example.com.', 'Then log in.'],
  ['Download it from https://get.example.io/v2.1/setup.exe today. It is free.', 'Download it from get.example.io/v2.1/setup.exe today.', 'It is free.'],
  ['Search at https://duck.com/?q=weather. Results are fast.', 'Search at duck.com/?q=weather.', 'Results are fast.'],
  ['Read the [release notes](https://example.com/notes). They list every fix.', 'Read the release notes.', 'They list every fix.'],
  ['See <https://example.com/a.b.c> for details. It is long.', 'See example.com/a.b.c for details.', 'It is long.'],
  ['Check [the F.A.Q. page. It helps.](https://x.io/faq) Then ask us.', 'Check the F.A.Q. page. It helps.', 'Then ask us.'],
  ['The file is at http://10.0.0.1:8080/status. Refresh it.', 'The file is at 10.0.0.1:8080/status.', 'Refresh it.'],
  ['Try docs.python.org for that. It is the official source.', 'Try docs.python.org for that.', 'It is the official source.'],
]);

group('email', [
  ['Write to jane.doe@example.com. She answers fast.', 'Write to jane.doe@example.com.', 'She answers fast.'],
  ['Contact support@acme.co.uk for help. Include your order number.', 'Contact support@acme.co.uk for help.', 'Include your order number.'],
  ['My address is j.r.smith@mail.example.org. Use it.', 'My address is j.r.smith@mail.example.org.', 'Use it.'],
  ['Email first_last@example.com today. Do not wait.', 'Email first_last@example.com today.', 'Do not wait.'],
  ['Send it to bob+news@example.net. He filters it.', 'Send it to bob plus news@example.net.', 'He filters it.'],
  ['Questions? Ask help@example.com. We reply within a day.', 'Questions?', 'Ask help@example.com.', 'We reply within a day.'],
]);

group('ellipses', [
  ['Well... I think so.', 'Well...', 'I think so.'],
  ['Wait for it... and there it goes.', 'Wait for it... and there it goes.'],
  ['I waited… The bus never came.', 'I waited…', 'The bus never came.'],
  ['Counting down: 3... 2... 1... Liftoff!', 'Counting down: 3... 2... 1...', 'Liftoff!'],
  ['Hmm... maybe later.', 'Hmm... maybe later.'],
  ['So... what now? Let us decide.', 'So... what now?', 'Let us decide.'],
  ['The list goes on... and on... and on.', 'The list goes on... and on... and on.'],
  ['It was a long night... The morning came slowly.', 'It was a long night...', 'The morning came slowly.'],
]);

group('markdown', [
  ['**Note:** the store closes at 9. Plan ahead.', 'Note: the store closes at 9.', 'Plan ahead.'],
  ['This is *really* important. Do not skip it.', 'This is really important.', 'Do not skip it.'],
  ['## Weather today\nSunny and warm. Perfect for a walk.', 'Weather today.', 'Sunny and warm.', 'Perfect for a walk.'],
  ['# Summary\nThe plan works. We start Monday.', 'Summary.', 'The plan works.', 'We start Monday.'],
  ['Run `npm install` first. Then start the server.', 'Run npm install first.', 'Then start the server.'],
  ['Here is the code:\n```js\nconsole.log("Hi. There.");\n```\nIt prints a greeting.', 'Here is the code:', 'It prints a greeting.'],
  ['**Stop. Think. Then act.** That is my advice.', 'Stop. Think. Then act.', 'That is my advice.'],
  ['> Be kind. Always.\nThat was her motto.', 'Be kind.', 'Always.', 'That was her motto.'],
  ['Use __bold__ or _italics_ sparingly. Readers notice.', 'Use bold or italics sparingly.', 'Readers notice.'],
  ['The variable is called max_retries. Set it to 3.', 'The variable is called max_retries.', 'Set it to 3.'],
  ['~~Old price~~ New price is lower. Buy now.', 'Old price New price is lower.', 'Buy now.'],
  ['Text before.\n\n---\n\nText after.', 'Text before.', 'Text after.'],
  ['### Step 2\nConnect the *red* wire. Then the **black** one.', 'Step 2.', 'Connect the red wire.', 'Then the black one.'],
  ['| Day | Temp |\n|---|---|\n| Mon | 20 |', 'Day Temp.', 'Mon 20'],
  ['Call the function `parse(x). It` returns a tree. Easy.', 'Call the function parse(x). It returns a tree.', 'Easy.'],
  ['~~~\nrm -rf /tmp/cache. Careful.\n~~~\nThat clears the cache.', 'That clears the cache.'],
  ['Use the `--force` flag only if needed. It skips checks.', 'Use the --force flag only if needed.', 'It skips checks.'],
  ['![A cat. Sleeping.](cat.png) The cat sleeps a lot.', 'A cat. Sleeping.', 'The cat sleeps a lot.'],
]);

group('emoji and symbols', [
  ['Great job! 🎉 You did it.', 'Great job!', 'You did it.'],
  ['It is sunny ☀️ and 25°C today. Enjoy.', 'It is sunny and 25 degrees Celsius today.', 'Enjoy.'],
  ['Tom & Jerry is on. Want to watch?', 'Tom and Jerry is on.', 'Want to watch?'],
  ['Learn C++ in a week. It is hard.', 'Learn C plus plus in a week.', 'It is hard.'],
  ['The angle is 90°. That is a right angle.', 'The angle is 90 degrees.', 'That is a right angle.'],
  ['Battery at 15%. Please charge it.', 'Battery at 15 percent.', 'Please charge it.'],
  ['👍 Sounds good. See you then.', 'Sounds good.', 'See you then.'],
  ['Done ✅. Next task.', 'Done.', 'Next task.'],
  ['I love it ❤️! Thank you.', 'I love it!', 'Thank you.'],
  ['AT&T and T-Mobile both offer plans. Compare them.', 'AT and T and T-Mobile both offer plans.', 'Compare them.'],
  ['The Eiffel Tower—built in 1889—is in Paris. It is tall.', 'The Eiffel Tower, built in 1889, is in Paris.', 'It is tall.'],
  ['Rain is likely - bring an umbrella. Stay dry.', 'Rain is likely, bring an umbrella.', 'Stay dry.'],
]);

group('questions and exclamations', [
  ['Really?! That is amazing.', 'Really?!', 'That is amazing.'],
  ['What time is it? It is noon.', 'What time is it?', 'It is noon.'],
  ['Wow! Look at that.', 'Wow!', 'Look at that.'],
  ['Is it 3.5 or 4? Let me check.', 'Is it 3.5 or 4?', 'Let me check.'],
  ['Stop! Right now! Please.', 'Stop!', 'Right now!', 'Please.'],
]);

group('assistant answers', [
  ['The lights in the kitchen are now off. Anything else?', 'The lights in the kitchen are now off.', 'Anything else?'],
  ["It's 72°F in Boston right now. Tomorrow looks cooler, around 65°F.", "It's 72 degrees Fahrenheit in Boston right now.", 'Tomorrow looks cooler, around 65 degrees Fahrenheit.'],
  ['Your next meeting is at 2:30 p.m. with Dr. Lee. It is in Room 4.', 'Your next meeting is at 2:30 p.m. with Dr. Lee.', 'It is in Room 4.'],
  ['I set a timer for 10 minutes. I will let you know when it is done.', 'I set a timer for 10 minutes.', 'I will let you know when it is done.'],
  ['The thermostat is set to 21°C. The living room is at 19.5°C.', 'The thermostat is set to 21 degrees Celsius.', 'The living room is at 19.5 degrees Celsius.'],
  ['Sure! Here are three ideas:\n1. **Pasta** with pesto.\n2. A quick stir-fry.\n3. Tacos.', 'Sure!', 'Here are three ideas:', '1. Pasta with pesto.', '2. A quick stir-fry.', '3. Tacos.'],
  ['Paris is the capital of France. It has about 2.1 million people. The Louvre is there.', 'Paris is the capital of France.', 'It has about 2.1 million people.', 'The Louvre is there.'],
  ['The front door is locked. The garage is open. Should I close it?', 'The front door is locked.', 'The garage is open.', 'Should I close it?'],
  ['Good morning! It is Monday, June 3. You have 2 meetings today.', 'Good morning!', 'It is Monday, June 3.', 'You have 2 meetings today.'],
  ['A kilometer is about 0.62 miles. So 5 km is roughly 3.1 miles.', 'A kilometer is about 0.62 miles.', 'So 5 km is roughly 3.1 miles.'],
  ['Your package from Amazon.com arrives Tue. Dec. 12. Track it in the app.', 'Your package from Amazon.com arrives Tue. Dec. 12.', 'Track it in the app.'],
  ['The S&P 500 rose 1.2% today. The Dow was flat.', 'The S and P 500 rose 1.2 percent today.', 'The Dow was flat.'],
  ['Mix 2 cups of flour with 1.5 cups of water. Knead for 10 min. Let it rest.', 'Mix 2 cups of flour with 1.5 cups of water.', 'Knead for 10 min.', 'Let it rest.'],
  ['According to the U.N. report, emissions fell. That is good news.', 'According to the U.N. report, emissions fell.', 'That is good news.'],
  ['The flight is AA 100. It departs at 7:15 a.m. from Gate B12.', 'The flight is AA 100.', 'It departs at 7:15 a.m. from Gate B12.'],
  ['Honestly? I do not know. Let me look it up.', 'Honestly?', 'I do not know.', 'Let me look it up.'],
  ['Set the oven to 180°C. Bake for 25–30 minutes.', 'Set the oven to 180 degrees Celsius.', 'Bake for 25 to 30 minutes.'],
  ['Einstein published it in 1905. He was 26.', 'Einstein published it in 1905.', 'He was 26.'],
  ['The recipe serves 4. Double it for 8.', 'The recipe serves 4.', 'Double it for 8.'],
  ['Here you go: the password is in the vault. Do not share it.', 'Here you go: the password is in the vault.', 'Do not share it.'],
]);

group('known hard', [
  // A capital after "U.S.": the chunker waits for the word ("Army" continues the sentence).
  ['He served in the U.S. Army for years. Then he retired.', 'He served in the U.S. Army for years.', 'Then he retired.'],
  // A brand with an exclamation mark, before a capital.
  ['Did you check Yahoo! Finance today? Stocks are up.', 'Did you check Yahoo! Finance today?', 'Stocks are up.'],
  // A sentence that really ends on a title-like word.
  ['The street sign just said St. Nobody knew which saint.', 'The street sign just said St.', 'Nobody knew which saint.'],
], true);

export default corpus;
