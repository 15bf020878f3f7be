package data

// Word pools for the generator. Changing any of them changes the data set
// (names, descriptions, review texts), so tests must not depend on exact
// strings beyond what they read from the set itself.

import "github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"

type topCategory struct {
	name string
	subs [4]subCategory
}

type subCategory struct {
	name  string
	nouns []string
}

var categoryTree = [8]topCategory{
	{"Electronics", [4]subCategory{
		{"Headphones", []string{"Headphones", "Earbuds", "Headset"}},
		{"Cameras", []string{"Camera", "Action Cam", "Lens"}},
		{"Computer Accessories", []string{"Keyboard", "Mouse", "USB-C Hub", "Webcam"}},
		{"Smart Home", []string{"Smart Plug", "Thermostat", "Doorbell", "Light Strip"}},
	}},
	{"Home & Kitchen", [4]subCategory{
		{"Cookware", []string{"Frying Pan", "Saucepan", "Dutch Oven", "Wok"}},
		{"Coffee & Tea", []string{"Espresso Machine", "Kettle", "Grinder", "Teapot"}},
		{"Tableware", []string{"Dinner Set", "Mug", "Glass Set", "Serving Bowl"}},
		{"Storage", []string{"Storage Box", "Shelf", "Jar Set", "Basket"}},
	}},
	{"Fashion", [4]subCategory{
		{"Jackets", []string{"Rain Jacket", "Parka", "Bomber Jacket"}},
		{"Shoes", []string{"Sneakers", "Boots", "Loafers", "Sandals"}},
		{"Bags", []string{"Backpack", "Tote Bag", "Messenger Bag"}},
		{"Accessories", []string{"Scarf", "Beanie", "Belt", "Wallet"}},
	}},
	{"Sports & Outdoors", [4]subCategory{
		{"Running", []string{"Running Shoes", "Running Vest", "Sports Watch"}},
		{"Cycling", []string{"Bike Helmet", "Bike Light", "Cycling Gloves"}},
		{"Camping", []string{"Tent", "Sleeping Bag", "Camping Stove", "Headlamp"}},
		{"Fitness", []string{"Yoga Mat", "Kettlebell", "Resistance Band"}},
	}},
	{"Books", [4]subCategory{
		{"Fiction", []string{"Novel", "Short Stories", "Thriller"}},
		{"Cooking", []string{"Cookbook", "Baking Book"}},
		{"Travel", []string{"Travel Guide", "City Atlas"}},
		{"Children's Books", []string{"Picture Book", "Activity Book"}},
	}},
	{"Toys & Games", [4]subCategory{
		{"Board Games", []string{"Board Game", "Card Game", "Puzzle"}},
		{"Building Sets", []string{"Building Set", "Marble Run"}},
		{"Outdoor Play", []string{"Kite", "Water Blaster", "Scooter"}},
		{"Plush", []string{"Plush Bear", "Plush Fox"}},
	}},
	{"Beauty", [4]subCategory{
		{"Skin Care", []string{"Face Cream", "Serum", "Cleanser"}},
		{"Hair Care", []string{"Shampoo", "Hair Dryer", "Conditioner"}},
		{"Fragrance", []string{"Eau de Parfum", "Eau de Toilette"}},
		{"Shaving", []string{"Razor", "Beard Trimmer", "Shaving Foam"}},
	}},
	{"Garden", [4]subCategory{
		{"Tools", []string{"Pruning Shears", "Spade", "Rake"}},
		{"Plants & Seeds", []string{"Seed Kit", "Herb Planter"}},
		{"Outdoor Furniture", []string{"Garden Chair", "Bistro Table", "Lounger"}},
		{"Watering", []string{"Hose Reel", "Watering Can", "Sprinkler"}},
	}},
}

var brands = []string{
	"Northwind", "Acorn & Oak", "Brightline", "Cobalt", "Driftwood", "Elmstead", "Fjordline", "Granite Peak",
	"Halcyon", "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Oakridge", "Pinecrest",
	"Quayside", "Riverton", "Saltmarsh", "Tidewater", "Umbra", "Vantage", "Westerly", "Yarrow", "Zephyr",
	"Alder", "Bramble", "Cirrus", "Dune", "Ember", "Foxglove", "Glacier", "Heron", "Isla", "Kiln",
	"Larch", "Moss & Co", "Nordkap", "Orbit", "Pebble", "Rook", "Sable", "Thistle", "Vale", "Willow",
}

var adjectives = []string{
	"Classic", "Compact", "Ultra", "Pro", "Essential", "Urban", "Trail", "Everyday", "Premium", "Lite",
	"Deluxe", "Studio", "Nordic", "Eco", "Smart", "Vintage", "Active", "Heritage", "Modern", "Travel",
}

var materials = []string{
	"Oak", "Steel", "Cotton", "Wool", "Bamboo", "Ceramic", "Leather", "Recycled", "Carbon", "Linen", "Walnut", "Titanium",
}

var colours = []string{"black", "white", "navy", "olive", "sand", "slate grey", "forest green", "burgundy", "ochre", "sky blue"}

var tagPool = []string{
	"bestseller", "new", "eco", "gift-idea", "limited", "bundle", "vegan", "handmade", "waterproof",
	"lightweight", "wireless", "family", "premium", "travel", "outdoor", "kids", "refurbished", "award-winning",
}

var openings = []string{
	"Designed for people who care about the details, the %s %s combines %s craftsmanship with thoughtful design.",
	"The %s %s is our answer to the question of what a truly dependable %s should feel like.",
	"Built to last, the %s %s brings %s quality to everyday life without fuss.",
	"Meet the %s %s: a considered take on a classic, finished in %s.",
}

var middles = []string{
	"Every component has been tested in our workshop for durability, comfort and ease of use.",
	"It is made from responsibly sourced materials and packed in fully recyclable packaging.",
	"The finish resists scratches and everyday wear, so it keeps looking new for years.",
	"A two-year warranty and a 30-day return window come as standard.",
	"Owners tell us it is the piece they reach for first, week after week.",
	"Careful proportions make it easy to store and pleasant to handle.",
	"Spare parts are available for at least five years after purchase.",
	"It was developed together with professionals who use it every single day.",
}

var closings = []string{
	"Care: wipe clean with a damp cloth; do not use abrasive cleaners.",
	"In the box: the product, a quick-start card and a cotton storage pouch.",
	"Dimensions and weight are listed on the specification sheet.",
	"Pairs well with other pieces from the same collection.",
}

type localeInfo struct {
	locale      accountsapi.UserLocale
	country     string
	first, last []string
	cities      []string
	streets     []string
	postal      func(n uint64) string
}

var locales = []localeInfo{
	{"en-GB", "GB",
		[]string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Emily", "Leo", "Grace"},
		[]string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker"},
		[]string{"London", "Manchester", "Bristol", "Leeds", "Edinburgh", "Cardiff", "Brighton"},
		[]string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue"},
		func(n uint64) string {
			return string(rune('A'+n%26)) + string(rune('A'+(n>>5)%26)) + itoa(int(1+(n>>10)%20)) + " " + itoa(int((n>>15)%10)) + string(rune('A'+(n>>20)%26)) + string(rune('A'+(n>>25)%26))
		}},
	{"de-DE", "DE",
		[]string{"Lukas", "Mia", "Leon", "Emma", "Finn", "Hannah", "Paul", "Sophie", "Jonas", "Lena", "Felix", "Marie"},
		[]string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"},
		[]string{"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Leipzig", "Dresden"},
		[]string{"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Lindenallee"},
		func(n uint64) string { return pad5(int(10000 + n%89999)) }},
	{"fr-FR", "FR",
		[]string{"Gabriel", "Louise", "Raphaël", "Jade", "Arthur", "Ambre", "Louis", "Alice", "Jules", "Chloé"},
		[]string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"},
		[]string{"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille"},
		[]string{"rue de la Paix", "avenue Victor Hugo", "rue du Moulin", "boulevard Voltaire", "place de l'Église"},
		func(n uint64) string { return pad5(int(1000 + n%94999)) }},
	{"nl-NL", "NL",
		[]string{"Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Levi", "Sophie", "Finn", "Zoë"},
		[]string{"de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"},
		[]string{"Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Haarlem"},
		[]string{"Kerkstraat", "Dorpsstraat", "Molenweg", "Prinsengracht", "Stationsplein"},
		func(n uint64) string {
			return itoa(int(1000+n%8999)) + " " + string(rune('A'+(n>>14)%26)) + string(rune('A'+(n>>19)%26))
		}},
}

var addressLabels = []string{"Home", "Work", "Parents"}

var reviewTitles = [5][]string{
	{"Disappointing", "Broke after a week", "Not as described", "Would not buy again"},
	{"Below expectations", "Meh", "Could be much better", "Too many compromises"},
	{"Does the job", "Okay for the price", "Average", "Mixed feelings"},
	{"Very good", "Happy with it", "Solid choice", "Recommended"},
	{"Excellent!", "Love it", "Best purchase this year", "Outstanding quality"},
}

var reviewSentences = [5][]string{
	{"It stopped working almost immediately.", "The quality is far below what the photos suggest.", "Customer service was slow to respond."},
	{"It works, but only just.", "Several small issues add up.", "I expected more at this price."},
	{"It does what it says, nothing more.", "Delivery was quick and the packaging was fine.", "Some details feel a little cheap."},
	{"Good quality and arrived on time.", "I use it every day and it holds up well.", "Only a minor gripe with the instructions."},
	{"Superb build quality and beautifully finished.", "Exceeded every expectation I had.", "I have already ordered a second one as a gift."},
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func pad5(n int) string {
	s := itoa(n)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}
